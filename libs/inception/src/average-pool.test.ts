import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { SameAveragePool } from './average-pool.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('SameAveragePool', () => {
  it('matches tf.avgPool forward values', () => {
    const input = tf.randomNormal([2, 5, 4, 3]) as tf.Tensor4D;

    const output = new SameAveragePool({ poolSize: 3 }).apply(input) as tf.Tensor;
    const reference = tf.avgPool(input, 3, 1, 'same');

    const difference = tf.max(tf.abs(tf.sub(output, reference))).dataSync()[0];
    expect(output.shape).toEqual([2, 5, 4, 3]);
    expect(difference).toBeLessThan(1e-5);
  });

  it('divides gradients by valid counts', () => {
    const input = tf.ones([1, 3, 3, 1]);
    const layer = new SameAveragePool({ poolSize: 3 });

    const gradient = tf.grad((x: tf.Tensor) => tf.sum(layer.apply(x) as tf.Tensor))(input).dataSync();

    // Outputs average 4 inputs at a corner, 6 on an edge and 9 in the center.
    const corner = 1 / 4 + 1 / 6 + 1 / 6 + 1 / 9;
    const edge = 1 / 4 + 1 / 4 + 1 / 6 + 1 / 6 + 1 / 6 + 1 / 9;
    const center = 4 / 4 + 4 / 6 + 1 / 9;
    const expected = [corner, edge, corner, edge, center, edge, corner, edge, corner];
    expected.forEach((value, index) => expect(gradient[index]).toBeCloseTo(value, 5));
  });

  it('rejects an even pool size', () => {
    expect(() => new SameAveragePool({ poolSize: 2 })).toThrow('poolSize 2 is invalid');
  });
});
