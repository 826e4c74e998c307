import { initBackend } from '@inception/tf-runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOutOfMemoryError, searchLargestBatch, trainingStepProbe } from './batch-size-probe.js';

/** Returns a fake device on which batches up to `limit` fit and larger ones run out of memory. */
function deviceWithLimit(limit: number) {
  return async (batchSize: number) => batchSize <= limit;
}

describe('searchLargestBatch', () => {
  it('finds the limit between powers of two', async () => {
    const { batchSize } = await searchLargestBatch(deviceWithLimit(40), 4096);

    expect(batchSize).toBe(40);
  });

  it('doubles before it bisects', async () => {
    const { probes } = await searchLargestBatch(deviceWithLimit(40), 4096);

    expect(probes.map((probe) => probe.batchSize)).toEqual([1, 2, 4, 8, 16, 32, 64, 48, 40, 44]);
  });

  it('stops within an eighth of the limit', async () => {
    const { batchSize } = await searchLargestBatch(deviceWithLimit(1000), 4096);

    expect(batchSize).toBeLessThanOrEqual(1000);
    expect(batchSize).toBeGreaterThanOrEqual(1000 * (7 / 8));
  });

  it('tries the maximum itself', async () => {
    const { batchSize, probes } = await searchLargestBatch(deviceWithLimit(10_000), 100);

    expect(batchSize).toBe(100);
    expect(probes.at(-1)).toEqual({ batchSize: 100, fits: true });
  });

  it('returns 0 when batch 1 fails', async () => {
    const { batchSize } = await searchLargestBatch(deviceWithLimit(0), 64);

    expect(batchSize).toBe(0);
  });

  it('passes other errors on', async () => {
    const failing = async () => {
      throw new Error('shape mismatch');
    };

    await expect(searchLargestBatch(failing, 64)).rejects.toThrow('shape mismatch');
  });

  it('rejects a maximum of 0', async () => {
    await expect(searchLargestBatch(deviceWithLimit(8), 0)).rejects.toThrow('maxBatchSize 0 is invalid');
  });
});

describe('isOutOfMemoryError', () => {
  it.each([
    'OOM when allocating tensor with shape[64,149,149,32] and type float on /job:localhost/replica:0/task:0/device:GPU:0',
    'CUDA_ERROR_OUT_OF_MEMORY: out of memory',
    'ResourceExhaustedError: failed to allocate memory',
  ])('recognises "%s"', (message) => {
    expect(isOutOfMemoryError(new Error(message))).toBe(true);
  });

  it.each(['Incompatible shapes: [2,3] vs. [4,3]', 'BOOMERANG'])('ignores "%s"', (message) => {
    expect(isOutOfMemoryError(new Error(message))).toBe(false);
  });
});

describe('trainingStepProbe on wasm', () => {
  beforeAll(async () => {
    await initBackend({ forced: 'wasm' });
  });

  it('runs a step and leaves no tensors behind', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const probe = trainingStepProbe({ numClasses: 4, imageSize: 75, depthMultiplier: 0.05, minDepth: 8, auxLogits: false });

    const fits = await probe.tryBatch(2);
    probe.dispose();

    expect(fits).toBe(true);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
