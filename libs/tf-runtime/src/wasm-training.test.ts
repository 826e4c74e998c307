import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from './init-backend.js';
import { maxRelativeError } from './testing/backend-parity.js';
import { InceptionStyleNet } from './testing/inception-style-net.js';

const netOptions = { imageSizePixels: 37, filterCount: 8, classCount: 5 };

describe('training on wasm', () => {
  beforeAll(async () => {
    await initBackend({ forced: 'wasm' });
  });

  it('lowers the loss and keeps the tensor count', async () => {
    await tf.setBackend('wasm');
    const net = new InceptionStyleNet(netOptions);
    const { images, labels } = net.makeBatch(8, 21);
    const optimizer: tf.Optimizer = tf.train.momentum(0.05, 0.9);
    const stepCount = 12;
    const losses: number[] = [];
    const tensorCounts: number[] = [];

    for (let step = 0; step < stepCount; step++) {
      const { value, grads } = tf.variableGrads(() => net.loss(images, labels, true));
      optimizer.applyGradients(grads);
      losses.push((await value.data())[0]);
      tf.dispose([value, grads]);
      tensorCounts.push(tf.memory().numTensors);
    }

    const firstLoss = losses[0];
    const lastLosses = losses.slice(-3);
    expect(Math.max(...lastLosses)).toBeLessThan(firstLoss * 0.5);
    // The first step creates the momentum accumulators.
    expect(new Set(tensorCounts.slice(1)).size).toBe(1);
    tf.dispose([images, labels]);
    optimizer.dispose();
  });

  it('matches cpu gradients', async () => {
    await tf.setBackend('cpu');
    const net = new InceptionStyleNet(netOptions);
    const { images, labels } = net.makeBatch(4, 22);
    const expected = tf.variableGrads(() => net.loss(images, labels, false));
    const expectedValues = Object.fromEntries(
      Object.entries(expected.grads).map(([name, gradient]) => [name, gradient.dataSync()]),
    );
    tf.dispose([expected.value, expected.grads]);

    await tf.setBackend('wasm');
    const actual = tf.variableGrads(() => net.loss(images, labels, false));

    // 7 convolution kernels, 1 convolution bias, 6 batch-norm offsets and the dense kernel and bias.
    expect(Object.keys(expectedValues)).toHaveLength(16);
    expect(Object.keys(actual.grads).sort()).toEqual(Object.keys(expectedValues).sort());
    for (const [name, gradient] of Object.entries(actual.grads)) {
      expect(maxRelativeError(gradient.dataSync(), expectedValues[name]), name).toBeLessThanOrEqual(1e-3);
    }
    tf.dispose([actual.value, actual.grads, images, labels]);
  });
});
