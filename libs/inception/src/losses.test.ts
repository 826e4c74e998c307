import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { computeLosses, l2RegularizationLoss, smoothLabels, softmaxCrossEntropy } from './losses.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('smoothLabels', () => {
  it('gives 0.9000999 and 9.99e-5 for 1001 logits', () => {
    const targets = smoothLabels([3], 1001).dataSync();

    expect(targets[3]).toBeCloseTo(0.9000999, 7);
    expect(targets[0]).toBeCloseTo(0.1 / 1001, 10);
    expect(targets[1000]).toBeCloseTo(9.99e-5, 7);
  });

  it('smooths the 6 Flowers logits', () => {
    const targets = smoothLabels(tf.tensor1d([1, 5], 'int32'), 6);

    expect(targets.shape).toEqual([2, 6]);
    const values = targets.dataSync();
    expect(values[1]).toBeCloseTo(0.916667, 6);
    expect(values[0]).toBeCloseTo(0.016667, 6);
    expect(values[6 + 5]).toBeCloseTo(0.916667, 6);
    expect(values[6 + 1]).toBeCloseTo(0.016667, 6);
  });

  it('sums each row to 1', () => {
    const rowSums = tf.sum(smoothLabels([0, 2, 4], 5), 1).dataSync();

    rowSums.forEach((sum) => expect(sum).toBeCloseTo(1, 6));
  });

  it('rejects a label equal to the logit count', () => {
    expect(() => smoothLabels([1, 6], 6)).toThrow('label 6 at batch index 1 is out of range for 6 logits');
  });

  it('rejects a fractional label', () => {
    expect(() => smoothLabels([1.5], 6)).toThrow('label 1.5 at batch index 0 is out of range');
  });
});

describe('softmaxCrossEntropy', () => {
  it('averages cross-entropy over the batch', () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const targets = tf.tensor2d([
      [0.1, 0.2, 0.7],
      [1, 0, 0],
    ]);

    const loss = softmaxCrossEntropy(logits, targets).dataSync()[0];

    const logSumExp = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const first = -(0.1 * (1 - logSumExp) + 0.2 * (2 - logSumExp) + 0.7 * (3 - logSumExp));
    const second = Math.log(3);
    expect(loss).toBeCloseTo((first + second) / 2, 6);
  });

  it('gives ln 1001 for uniform logits', () => {
    const loss = softmaxCrossEntropy(tf.zeros([4, 1001]) as tf.Tensor2D, smoothLabels([1, 2, 3, 4], 1001));

    expect(loss.dataSync()[0]).toBeCloseTo(Math.log(1001), 5);
  });
});

describe('l2RegularizationLoss', () => {
  it('halves the scaled sum of squares', () => {
    const weights = [tf.tensor2d([[1, -2]]), tf.tensor1d([3])];

    expect(l2RegularizationLoss(weights, 0.00004).dataSync()[0]).toBeCloseTo(0.00004 * 14 / 2, 10);
    expect(l2RegularizationLoss([], 0.00004).dataSync()[0]).toBe(0);
  });
});

describe('computeLosses', () => {
  it('adds main, 0.4 of aux and regularization', () => {
    const targets = smoothLabels([1, 0], 3);
    const logits = tf.tensor2d([
      [0.5, 2, -1],
      [1, 0, 0],
    ]);
    const auxLogits = tf.tensor2d([
      [0, 1, 0],
      [3, 0, 1],
    ]);

    const losses = computeLosses({ logits, auxLogits, targets, regularizedWeights: [tf.ones([10])], weightDecay: 0.1 });

    const main = softmaxCrossEntropy(logits, targets).dataSync()[0];
    const aux = softmaxCrossEntropy(auxLogits, targets).dataSync()[0];
    expect(losses.mainLoss.dataSync()[0]).toBeCloseTo(main, 6);
    expect(losses.auxLoss.dataSync()[0]).toBeCloseTo(aux, 6);
    expect(losses.regularizationLoss.dataSync()[0]).toBeCloseTo(0.5, 6);
    expect(losses.totalLoss.dataSync()[0]).toBeCloseTo(main + 0.4 * aux + 0.5, 5);
  });

  it('reports zero aux loss without aux', () => {
    const losses = computeLosses({
      logits: tf.zeros([1, 3]) as tf.Tensor2D,
      targets: smoothLabels([1], 3),
      regularizedWeights: [],
      weightDecay: 0.00004,
    });

    expect(losses.auxLoss.dataSync()[0]).toBe(0);
    expect(losses.totalLoss.dataSync()[0]).toBeCloseTo(Math.log(3), 6);
  });
});
