import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { registerWasmGradientKernels } from '../register-wasm-gradient-kernels.js';
import { maxRelativeError, poisonFreedMemory, seededNormalValues } from '../testing/backend-parity.js';

interface MaxPoolGradientCase {
  xShape: [number, number, number, number];
  poolSize: number;
  stride: number;
  pad: 'same' | 'valid';
}

// Window shapes of the Inception v3 pools (3x3 stride 1 SAME, 3x3 stride 2
// VALID, global 8x8, 5x5 stride 3 in the auxiliary head), plus stride-2 SAME
// and 2x2 windows.
const cases: MaxPoolGradientCase[] = [
  { xShape: [2, 9, 9, 3], poolSize: 3, stride: 1, pad: 'same' },
  { xShape: [2, 8, 8, 3], poolSize: 3, stride: 1, pad: 'same' },
  { xShape: [3, 9, 9, 4], poolSize: 3, stride: 2, pad: 'valid' },
  { xShape: [2, 10, 10, 5], poolSize: 3, stride: 2, pad: 'valid' },
  { xShape: [2, 8, 8, 3], poolSize: 3, stride: 2, pad: 'same' },
  { xShape: [1, 7, 7, 2], poolSize: 3, stride: 2, pad: 'same' },
  { xShape: [4, 8, 8, 6], poolSize: 8, stride: 8, pad: 'valid' },
  { xShape: [2, 17, 17, 3], poolSize: 5, stride: 3, pad: 'valid' },
  { xShape: [2, 6, 6, 2], poolSize: 2, stride: 2, pad: 'valid' },
];

// Signed values, ReLU output with ties at zero, and all-negative values. The
// tfjs-backend-wasm 4.22 kernel fails on each kind for some window shapes.
const inputKinds = {
  normal: (values: Float32Array) => values,
  relu: (values: Float32Array) => values.map((value) => Math.max(value, 0)),
  negative: (values: Float32Array) => values.map((value) => -Math.abs(value) - 0.5),
};

function describeCase({ xShape, poolSize, stride, pad }: MaxPoolGradientCase): string {
  return `x ${xShape.join('x')}, pool ${poolSize}x${poolSize}, stride ${stride}, ${pad}`;
}

/** Returns the gradient of sum(maxPool(x) * weights) with respect to x on the active backend. */
function maxPoolGradient(testCase: MaxPoolGradientCase, xValues: Float32Array, weightValues: Float32Array): tf.Tensor {
  const { xShape, poolSize, stride, pad } = testCase;

  return tf.tidy(() => {
    const x = tf.tensor4d(xValues, xShape);
    const outShape = tf.backend_util.computePool2DInfo(xShape, poolSize, stride, 1, pad).outShape;
    const weights = tf.tensor(weightValues.subarray(0, tf.util.sizeFromShape(outShape)), outShape);
    return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, poolSize, stride, pad), weights)))(x);
  });
}

describe('MaxPoolGrad on wasm', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmGradientKernels();
    await tf.setBackend('wasm');
  });

  const table = cases.flatMap((testCase) =>
    Object.keys(inputKinds).map((kind) => [`${describeCase(testCase)}, ${kind} input`, testCase, kind] as const),
  );
  it.each(table)('matches cpu: %s', async (_name, testCase, kind) => {
    const size = tf.util.sizeFromShape(testCase.xShape);
    const xValues = inputKinds[kind as keyof typeof inputKinds](seededNormalValues(size, 5));
    const weightValues = seededNormalValues(size, 6);

    await tf.setBackend('cpu');
    const expected = maxPoolGradient(testCase, xValues, weightValues);
    const expectedValues = expected.dataSync();
    expected.dispose();

    await tf.setBackend('wasm');
    poisonFreedMemory();
    const actual = maxPoolGradient(testCase, xValues, weightValues);

    expect(actual.shape).toEqual(testCase.xShape);
    expect(maxRelativeError(actual.dataSync(), expectedValues)).toBeLessThanOrEqual(1e-6);
    actual.dispose();
  });

  it('passes each window gradient to its maximum', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d([-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16], [1, 4, 4, 1]);

    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid')))(x);

    expect(Array.from(dx.dataSync())).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
    tf.dispose([x, dx]);
  });

  it('frees every intermediate', async () => {
    await tf.setBackend('wasm');
    const testCase = cases[0];
    const size = tf.util.sizeFromShape(testCase.xShape);
    const xValues = seededNormalValues(size, 7);
    const weightValues = seededNormalValues(size, 8);
    const dataIdsBefore = tf.backend().numDataIds();
    const tensorsBefore = tf.memory().numTensors;

    maxPoolGradient(testCase, xValues, weightValues).dispose();

    expect(tf.backend().numDataIds()).toBe(dataIdsBefore);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
