import { initBackend } from '@inception/tf-runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import type { InceptionV3Options } from './config.js';
import { evaluateBatch } from './eval-step.js';
import { buildInceptionV3 } from './model.js';
import { trainStep, type StepLosses } from './train-step.js';
import { TrainingState } from './training-state.js';

// The smallest useful network: every convolution at 8 to 44 channels, 75 pixels, 3 logits.
const TINY: InceptionV3Options = { numClasses: 3, imageSize: 75, depthMultiplier: 0.05, minDepth: 8, auxLogits: false };
const LABELS = [1, 2];

const backends = [
  { backend: 'cpu', initialize: async () => void (await tf.setBackend('cpu')) },
  { backend: 'wasm', initialize: async () => void (await initBackend({ forced: 'wasm' })) },
];

function randomImages(imageSize: number): tf.Tensor4D {
  return tf.randomUniform([LABELS.length, imageSize, imageSize, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
}

function valuesOf(state: TrainingState, name: string): number[] {
  return Array.from(state.getCheckpointTensors()[name].dataSync());
}

describe.each(backends)('trainStep on $backend', ({ backend, initialize }) => {
  beforeAll(async () => {
    await initialize();
    expect(tf.getBackend()).toBe(backend);
  });

  it('trains without leaking tensors', async () => {
    const state = new TrainingState(buildInceptionV3(TINY));
    const images = randomImages(75);
    const tensorCounts: number[] = [];
    const history: StepLosses[] = [];

    for (let step = 0; step < 5; step += 1) {
      history.push(await trainStep(state, { images, labels: LABELS }, { step, learningRate: 0.01 }));
      tensorCounts.push(tf.memory().numTensors);
    }

    for (const losses of history) {
      expect(Number.isFinite(losses.totalLoss)).toBe(true);
      expect(losses.auxLoss).toBe(0);
      expect(losses.regularizationLoss).toBeGreaterThan(0);
      expect(losses.totalLoss).toBeCloseTo(losses.mainLoss + losses.regularizationLoss, 5);
    }
    expect(history[0].mainLoss).toBeGreaterThan(0.5);
    expect(history[0].mainLoss).toBeLessThan(2);
    expect(tensorCounts[4]).toBe(tensorCounts[1]);
    state.dispose();
  });

  it('updates every kind of state', async () => {
    const state = new TrainingState(buildInceptionV3(TINY));
    const before = valuesOf(state, 'conv0/weights');

    await trainStep(state, { images: randomImages(75), labels: LABELS }, { step: 0, learningRate: 0.01 });

    const after = valuesOf(state, 'conv0/weights');
    expect(after).not.toEqual(before);
    expect(valuesOf(state, 'conv0/BatchNorm/moving_mean').some((value) => value !== 0)).toBe(true);
    expect(valuesOf(state, 'conv0/weights/RMSProp').some((value) => value !== 1)).toBe(true);
    expect(valuesOf(state, 'conv0/weights/RMSProp_1').some((value) => value !== 0)).toBe(true);
    // At step 0 the shadow moves 90% of the way: 0.1·before + 0.9·after.
    const shadow = valuesOf(state, 'conv0/weights/ExponentialMovingAverage');
    shadow.forEach((value, index) => expect(value).toBeCloseTo(0.1 * before[index] + 0.9 * after[index], 5));
    state.dispose();
  });

  it('reports the L2 loss of weights', async () => {
    const state = new TrainingState(buildInceptionV3(TINY));
    let sumOfSquares = 0;
    for (const entry of state.regularizedVariables) {
      sumOfSquares += tf.sum(tf.square(entry.variable)).dataSync()[0];
    }

    const losses = await trainStep(state, { images: randomImages(75), labels: LABELS }, { step: 0, learningRate: 0 });

    expect(state.regularizedVariables.every((entry) => entry.role === 'weights')).toBe(true);
    expect(losses.regularizationLoss).toBeCloseTo((0.00004 * sumOfSquares) / 2, 6);
    state.dispose();
  });

  it('weights the aux loss by 0.4', async () => {
    const state = new TrainingState(buildInceptionV3({ ...TINY, imageSize: 107, auxLogits: true }));

    const losses = await trainStep(state, { images: randomImages(107), labels: LABELS }, { step: 0, learningRate: 0.01 });

    expect(losses.auxLoss).toBeGreaterThan(0.5);
    expect(losses.totalLoss).toBeCloseTo(losses.mainLoss + 0.4 * losses.auxLoss + losses.regularizationLoss, 5);
    state.dispose();
  });

  it('evaluates with averaged weights', async () => {
    const state = new TrainingState(buildInceptionV3(TINY));
    const images = randomImages(75);
    await trainStep(state, { images, labels: LABELS }, { step: 0, learningRate: 0.05 });
    const trained = valuesOf(state, 'logits/logits/weights');

    const averaged = await state.movingAverage.withShadowsAssigned(async () => {
      expect(valuesOf(state, 'logits/logits/weights')).toEqual(valuesOf(state, 'logits/logits/weights/ExponentialMovingAverage'));
      return evaluateBatch(state.model, images, LABELS);
    });

    expect(averaged.exampleCount).toBe(2);
    expect(averaged.top5HitCount).toBe(2);
    expect(averaged.predictedClasses).toHaveLength(2);
    expect(valuesOf(state, 'logits/logits/weights')).toEqual(trained);
    state.dispose();
  });

  it('resumes identically from checkpoint', async () => {
    // Without dropout, two states with the same values take the same step.
    const options = { ...TINY, dropoutKeepProb: 1 };
    const original = new TrainingState(buildInceptionV3(options));
    const images = randomImages(75);
    await trainStep(original, { images, labels: LABELS }, { step: 0, learningRate: 0.01 });
    const saved = tf.tidy(() => {
      const copies: tf.NamedTensorMap = {};
      for (const [name, tensor] of Object.entries(original.getCheckpointTensors())) {
        copies[name] = tensor.clone();
      }
      return copies;
    });

    const resumed = new TrainingState(buildInceptionV3(options));
    const result = resumed.restoreCheckpointTensors({ ...saved, global_step: tf.scalar(1) });
    tf.dispose(Object.values(saved));
    const originalLosses = await trainStep(original, { images, labels: LABELS }, { step: 1, learningRate: 0.01 });
    const resumedLosses = await trainStep(resumed, { images, labels: LABELS }, { step: 1, learningRate: 0.01 });

    expect(result.missingNames).toEqual([]);
    expect(result.unusedNames).toEqual(['global_step']);
    expect(result.restoredNames).toHaveLength(Object.keys(original.getCheckpointTensors()).length);
    expect(resumedLosses.totalLoss).toBeCloseTo(originalLosses.totalLoss, 5);
    const last = valuesOf(original, 'logits/logits/weights/ExponentialMovingAverage');
    valuesOf(resumed, 'logits/logits/weights/ExponentialMovingAverage').forEach((value, index) =>
      expect(value).toBeCloseTo(last[index], 5),
    );
    original.dispose();
    resumed.dispose();
  });

  it('rejects mismatched checkpoint shapes', () => {
    const state = new TrainingState(buildInceptionV3(TINY));
    const before = valuesOf(state, 'conv0/weights');

    expect(() =>
      state.restoreCheckpointTensors({ 'conv0/weights': tf.zerosLike(state.variables[0].variable), 'logits/logits/biases': tf.zeros([6]) }),
    ).toThrow('logits/logits/biases has shape [6] but the variable is [3]');
    expect(valuesOf(state, 'conv0/weights')).toEqual(before);
    state.dispose();
  });

  it('rejects invalid images and labels', async () => {
    const state = new TrainingState(buildInceptionV3(TINY));
    const images = randomImages(75);

    await expect(trainStep(state, { images: randomImages(80), labels: LABELS }, { step: 0, learningRate: 0.01 })).rejects.toThrow(
      'images have shape [2, 80, 80, 3] but the model takes [batch, 75, 75, 3]',
    );
    await expect(trainStep(state, { images, labels: [1, 3] }, { step: 0, learningRate: 0.01 })).rejects.toThrow(
      'label 3 at batch index 1 is out of range for 3 logits',
    );
    await expect(trainStep(state, { images, labels: [1] }, { step: 0, learningRate: 0.01 })).rejects.toThrow('1 labels for 2 images');
    await expect(trainStep(state, { images, labels: LABELS }, { step: -1, learningRate: 0.01 })).rejects.toThrow('step -1 is invalid');
    await expect(trainStep(state, { images, labels: LABELS }, { step: 0, learningRate: Number.NaN })).rejects.toThrow(
      'learningRate NaN is invalid',
    );
    state.dispose();
  });
});
