import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@inception/tf-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { exportStockModel } from './export.js';
import { buildInceptionV3 } from './model.js';
import { trainStep } from './train-step.js';
import { TrainingState } from './training-state.js';

const IMAGE_SIZE = 75;
let state: TrainingState;
let images: tf.Tensor4D;

beforeAll(async () => {
  await initBackend({ forced: 'wasm' });
  state = new TrainingState(buildInceptionV3({ numClasses: 4, imageSize: IMAGE_SIZE, depthMultiplier: 0.25, minDepth: 8, auxLogits: false, batchNormDecay: 0.5 }), { movingAverageDecay: 0.5 });
  images = tf.randomUniform([2, IMAGE_SIZE, IMAGE_SIZE, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
  for (let step = 0; step < 3; step++) {
    await trainStep(state, { images, labels: [1, 3] }, { step, learningRate: 0.01 });
  }
});

afterAll(() => {
  images.dispose();
  state.dispose();
});

describe('exportStockModel', () => {
  it('writes a topology of stock layers only', async () => {
    const artifacts = await exportStockModel(state);
    const topology = JSON.stringify(artifacts.modelTopology);
    expect(topology).not.toContain('InceptionBatchNorm');
    expect(topology).not.toContain('SameAveragePool');
    expect(topology).toContain('BatchNormalization');
  });

  it('predicts what the averaged trainer model predicts', async () => {
    const artifacts = await exportStockModel(state);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const exported = loaded.predict(images) as tf.Tensor;
    const expected = await state.movingAverage.withShadowsAssigned(() => state.model.predict(images) as tf.Tensor);
    // Relative to the largest logit: three steps leave logits in the thousands.
    const difference = tf.div(tf.max(tf.abs(tf.sub(exported, expected))), tf.max(tf.abs(expected)));
    const [relativeDifference] = await difference.data();
    expect(relativeDifference).toBeLessThan(1e-5);
    tf.dispose([exported, expected, difference]);
    loaded.dispose();
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await exportStockModel(state);
    expect(tf.memory().numTensors).toBe(before);
  });
});
