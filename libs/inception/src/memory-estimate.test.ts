import { initBackend } from '@inception/tf-runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  ACTIVATION_BYTES_FACTOR,
  estimateTrainingMemoryBytes,
  largestBatchWithinMemory,
  trainingMemoryProfile,
  type TrainingMemoryProfile,
} from './memory-estimate.js';
import { buildInceptionV3 } from './model.js';
import { summarizeModel, type ModelSummary } from './summary.js';
import { trainStep } from './train-step.js';
import { TrainingState } from './training-state.js';

// Two layers: one output of 2×2×3 values and one layer with outputs of 4 and 5 values.
const TWO_LAYERS: ModelSummary = {
  layers: [
    { name: 'images', className: 'InputLayer', outputShape: [null, 2, 2, 3], paramCount: 0, trainableParamCount: 0 },
    { name: 'heads', className: 'Dense', outputShape: [[null, 4], [null, 5]], paramCount: 10, trainableParamCount: 8 },
  ],
  totalParamCount: 10,
  trainableParamCount: 8,
  nonTrainableParamCount: 2,
};

// 1 MB of activations per image and 1000 trainable parameters.
const MEGABYTE_PROFILE: TrainingMemoryProfile = { activationBytesPerImage: 1_000_000, trainableParamCount: 1000, nonTrainableParamCount: 0 };
const MEGABYTE_PROFILE_PARAMETER_BYTES = 1000 * (4 + 7) * 4;

describe('trainingMemoryProfile', () => {
  it('sums float32 output bytes per image', () => {
    expect(trainingMemoryProfile(TWO_LAYERS).activationBytesPerImage).toBe((12 + 4 + 5) * 4);
  });

  it('takes the parameter counts', () => {
    const profile = trainingMemoryProfile(TWO_LAYERS);

    expect(profile.trainableParamCount).toBe(8);
    expect(profile.nonTrainableParamCount).toBe(2);
  });
});

describe('estimateTrainingMemoryBytes', () => {
  it('counts 11 float32 copies per trainable and 2 per non-trainable parameter', () => {
    expect(estimateTrainingMemoryBytes(trainingMemoryProfile(TWO_LAYERS), 1).parameterBytes).toBe((8 * 11 + 2 * 2) * 4);
  });

  it('scales activations with the batch size', () => {
    expect(estimateTrainingMemoryBytes(MEGABYTE_PROFILE, 3).activationBytes).toBe(3 * ACTIVATION_BYTES_FACTOR * 1_000_000);
  });

  it('adds both parts', () => {
    const estimate = estimateTrainingMemoryBytes(MEGABYTE_PROFILE, 2);

    expect(estimate.totalBytes).toBe(estimate.parameterBytes + estimate.activationBytes);
  });

  it.each([0, 1.5, -4])('rejects batch size %s', (batchSize) => {
    expect(() => estimateTrainingMemoryBytes(MEGABYTE_PROFILE, batchSize)).toThrow(`batchSize ${batchSize} is invalid`);
  });
});

describe('largestBatchWithinMemory', () => {
  it('takes a batch whose estimate equals the budget', () => {
    const budgetBytes = estimateTrainingMemoryBytes(MEGABYTE_PROFILE, 5).totalBytes;

    expect(largestBatchWithinMemory(MEGABYTE_PROFILE, budgetBytes, 100)).toBe(5);
  });

  it('drops the batch when one byte is missing', () => {
    const budgetBytes = estimateTrainingMemoryBytes(MEGABYTE_PROFILE, 5).totalBytes - 1;

    expect(largestBatchWithinMemory(MEGABYTE_PROFILE, budgetBytes, 100)).toBe(4);
  });

  it('stops at the maximum batch size', () => {
    expect(largestBatchWithinMemory(MEGABYTE_PROFILE, 1e12, 64)).toBe(64);
  });

  it('returns 0 when the parameters alone exceed the budget', () => {
    expect(largestBatchWithinMemory(MEGABYTE_PROFILE, MEGABYTE_PROFILE_PARAMETER_BYTES - 1, 64)).toBe(0);
  });

  it('rejects a negative budget', () => {
    expect(() => largestBatchWithinMemory(MEGABYTE_PROFILE, -1, 64)).toThrow('budgetBytes -1 is invalid');
  });

  it('rejects a maximum batch size of 0', () => {
    expect(() => largestBatchWithinMemory(MEGABYTE_PROFILE, 1e9, 0)).toThrow('maxBatchSize 0 is invalid');
  });
});

describe('estimate against a measured training step on wasm', () => {
  const BATCH_SIZE = 8;
  let estimatedBytes: number;
  let measuredPeakBytes: number;

  beforeAll(async () => {
    await initBackend({ forced: 'wasm' });
    const state = new TrainingState(buildInceptionV3({ numClasses: 11, imageSize: 75, depthMultiplier: 0.25, minDepth: 8, auxLogits: false }));
    const images = tf.randomUniform([BATCH_SIZE, 75, 75, 3], -1, 1) as tf.Tensor4D;
    const labels = Array.from({ length: BATCH_SIZE }, (_, index) => 1 + (index % 10));
    estimatedBytes = estimateTrainingMemoryBytes(trainingMemoryProfile(summarizeModel(state.model)), BATCH_SIZE).totalBytes;

    // The estimate covers the images, which the caller owns, so the baseline leaves them out.
    const baselineBytes = tf.memory().numBytes - images.size * 4;
    const profile = await tf.profile(async () => {
      await trainStep(state, { images, labels }, { step: 0, learningRate: 0.01 });
    });
    measuredPeakBytes = profile.peakBytes - baselineBytes;
    images.dispose();
    state.dispose();
  });

  it('is not below the measured peak', () => {
    expect(estimatedBytes).toBeGreaterThanOrEqual(measuredPeakBytes);
  });

  it('is within 25 % of the measured peak', () => {
    expect(estimatedBytes / measuredPeakBytes).toBeLessThan(1.25);
  });
});
