import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { effectiveDecayAt, ExponentialMovingAverage } from './moving-average.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('effectiveDecayAt', () => {
  it.each([
    [0, 1 / 10],
    [1, 2 / 11],
    [10, 11 / 20],
    [89_989, 89_990 / 89_999],
    [1_000_000, 0.9999],
  ])('warms up at step %i', (step, decay) => {
    expect(effectiveDecayAt(step)).toBeCloseTo(decay, 12);
  });

  it('caps at the given decay', () => {
    expect(effectiveDecayAt(100, 0.5)).toBe(0.5);
  });
});

describe('ExponentialMovingAverage', () => {
  it('starts the shadows at the current values', () => {
    const variable = tf.variable(tf.tensor1d([3, 4]));
    const average = new ExponentialMovingAverage([{ name: 'w', variable }]);

    expect(Object.keys(average.getShadows())).toEqual(['w/ExponentialMovingAverage']);
    expect(Array.from(average.getShadows()['w/ExponentialMovingAverage'].dataSync())).toEqual([3, 4]);
  });

  it('moves the shadows with the warm-up decay', () => {
    const variable = tf.variable(tf.tensor1d([0]));
    const average = new ExponentialMovingAverage([{ name: 'w', variable }]);

    variable.assign(tf.tensor1d([10]));
    average.apply(0);
    variable.assign(tf.tensor1d([20]));
    average.apply(10);

    // Step 0: 0 − 0.9·(0 − 10) = 9. Step 10: 9 − 0.45·(9 − 20) = 13.95.
    expect(average.getShadows()['w/ExponentialMovingAverage'].dataSync()[0]).toBeCloseTo(13.95, 5);
  });

  it('swaps shadows in and out', async () => {
    const variable = tf.variable(tf.tensor1d([0]));
    const average = new ExponentialMovingAverage([{ name: 'w', variable }]);
    variable.assign(tf.tensor1d([10]));
    average.apply(0);

    const seen = await average.withShadowsAssigned(() => variable.dataSync()[0]);

    expect(seen).toBeCloseTo(9, 6);
    expect(variable.dataSync()[0]).toBe(10);
    expect(average.isShadowAssigned).toBe(false);
  });

  it('restores variables after an error', async () => {
    const variable = tf.variable(tf.tensor1d([1]));
    const average = new ExponentialMovingAverage([{ name: 'w', variable }]);
    variable.assign(tf.tensor1d([5]));

    await expect(
      average.withShadowsAssigned(() => {
        throw new Error('evaluation failed');
      }),
    ).rejects.toThrow('evaluation failed');

    expect(variable.dataSync()[0]).toBe(5);
  });

  it('rejects updates while swapped', () => {
    const average = new ExponentialMovingAverage([{ name: 'w', variable: tf.variable(tf.tensor1d([1])) }]);

    average.assignShadowsToVariables();

    expect(() => average.apply(1)).toThrow('Call restoreVariables() first');
    average.restoreVariables();
    expect(() => average.apply(1)).not.toThrow();
  });

  it('sets shadows by checkpoint name', () => {
    const average = new ExponentialMovingAverage([{ name: 'w', variable: tf.variable(tf.tensor1d([1, 2])) }]);

    average.setShadows({ 'w/ExponentialMovingAverage': tf.tensor1d([7, 8]) });

    expect(Array.from(average.getShadows()['w/ExponentialMovingAverage'].dataSync())).toEqual([7, 8]);
    expect(() => average.setShadows({})).toThrow('1 shadows are missing, the first is w/ExponentialMovingAverage');
    expect(() => average.setShadows({ 'w/ExponentialMovingAverage': tf.zeros([3]) })).toThrow('has shape [3]');
  });

  it('creates no tensors per update', () => {
    const variable = tf.variable(tf.randomNormal([4, 4]));
    const average = new ExponentialMovingAverage([{ name: 'w', variable }]);
    average.apply(0);
    const tensorCount = tf.memory().numTensors;

    for (let step = 1; step < 5; step += 1) {
      average.apply(step);
      average.assignShadowsToVariables();
      average.restoreVariables();
    }

    expect(tf.memory().numTensors).toBe(tensorCount);
  });
});
