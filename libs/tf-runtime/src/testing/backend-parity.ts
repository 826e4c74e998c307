import * as tf from '@tensorflow/tfjs';

/**
 * Returns max |actual - expected| divided by max |expected|, the error
 * measure the backend comparison tests bound. It is Infinity when the lengths
 * differ and NaN when either side contains NaN.
 */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    return Infinity;
  }

  let maxDifference = 0;
  let maxMagnitude = 0;
  for (let i = 0; i < expected.length; i++) {
    const difference = Math.abs(actual[i] - expected[i]);
    if (Number.isNaN(difference)) {
      return NaN;
    }
    maxDifference = Math.max(maxDifference, difference);
    maxMagnitude = Math.max(maxMagnitude, Math.abs(expected[i]));
  }
  return maxDifference / Math.max(maxMagnitude, Number.MIN_VALUE);
}

/** Returns `count` standard-normal float32 values drawn with `seed`, the same on every backend. */
export function seededNormalValues(count: number, seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal([count], 0, 1, 'float32', seed).dataSync() as Float32Array);
}

/**
 * Fills freed memory of the active backend with NaN, so that a kernel that
 * leaves part of a freshly allocated output unwritten returns NaN there. The
 * wasm backend allocates outputs with malloc, which reuses freed blocks
 * without clearing them.
 */
export function poisonFreedMemory(elementCount = 1 << 20): void {
  const poison = tf.fill([elementCount], NaN);
  poison.dataSync();
  poison.dispose();
}
