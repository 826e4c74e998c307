import { elementCount } from '../slices.js';
import { splitIntoSlices, type WritableTensor } from './writable-tensor.js';

export interface SyntheticTensorOptions {
  /** Seed of the value generator; the same seed gives the same values. Default 1. */
  seed?: number;
  /**
   * Saves every n-th tensor whose last dimension has at least 3 elements as 3 slices along that
   * dimension, as a partitioned variable is saved. Default 0: every tensor in one slice.
   */
  sliceEvery?: number;
}

/** Returns `count` deterministic pseudo-random floats in [-0.1, 0.1) from a mulberry32 generator. */
export function randomFloats(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    values[i] = (((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296 - 0.5) * 0.2;
  }
  return values;
}

/** Builds float tensors of the given names and shapes with small pseudo-random values, each tensor from its own seed. */
export function syntheticTensors(specs: readonly { name: string; shape: readonly number[] }[], options: SyntheticTensorOptions = {}): WritableTensor[] {
  const seed = options.seed ?? 1;
  const sliceEvery = options.sliceEvery ?? 0;
  return specs.map(({ name, shape }, i) => {
    const tensor: WritableTensor = { name, dtype: 'float', shape: [...shape], values: randomFloats(elementCount(shape), seed * 7919 + i) };
    const lastDimension = shape.length - 1;
    if (sliceEvery > 0 && i % sliceEvery === 0 && shape[lastDimension] >= 3) {
      tensor.slices = splitIntoSlices(shape, lastDimension, 3);
    }
    return tensor;
  });
}
