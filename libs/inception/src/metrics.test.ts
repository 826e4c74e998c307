import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { ConfusionMatrix, inTopK, predictedClasses, topKAccuracy } from './metrics.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('inTopK', () => {
  const logits = tf.tensor2d([
    [0.1, 0.9, 0.5, 0.3],
    [0.4, 0.4, 0.4, 0.1],
    [0.2, 0.7, 0.7, 0.6],
  ]);

  it('finds the label among the k largest logits', () => {
    expect(inTopK(logits, [1, 0, 3], 1)).toEqual([true, true, false]);
    expect(inTopK(logits, [2, 3, 3], 2)).toEqual([true, false, false]);
    expect(inTopK(logits, [0, 3, 3], 3)).toEqual([false, false, true]);
  });

  it('counts ties at the k-th place as hits', () => {
    // Row 1 has a three-way tie for first place, row 2 a tie between labels 1 and 2.
    expect(inTopK(logits, [2, 2, 2], 1)).toEqual([false, true, true]);
    expect(inTopK(logits, [1, 1, 1], 1)).toEqual([true, true, true]);
  });

  it('misses rows with non-finite logits', () => {
    const broken = { values: [Number.NaN, 1, 0, 5, Number.POSITIVE_INFINITY, 0], numClasses: 3 };

    expect(inTopK(broken, [1, 0], 3)).toEqual([false, false]);
  });

  it('rejects a label outside the logits', () => {
    expect(() => inTopK(logits, [1, 4, 0], 5)).toThrow('label 4 at batch index 1 is out of range for 4 logits');
  });

  it('rejects a wrong label count', () => {
    expect(() => inTopK(logits, [1, 2], 1)).toThrow('2 labels for a batch of 3 logit rows');
  });
});

describe('topKAccuracy', () => {
  it('gives precision at 1 and recall at 5', () => {
    const values = [
      [9, 8, 7, 6, 5, 4, 3],
      [1, 2, 3, 4, 5, 6, 7],
      [0, 0, 0, 0, 0, 0, 1],
      [5, 1, 1, 1, 1, 1, 1],
    ];
    const logits = tf.tensor2d(values);
    const labels = [0, 2, 3, 5];

    expect(topKAccuracy(logits, labels, 1)).toBe(0.25);
    // Row 1: label 2 has four larger logits. Row 2: all tie below one. Row 3: one larger, five tie.
    expect(topKAccuracy(logits, labels, 5)).toBe(1);
    expect(topKAccuracy(logits, [6, 0, 0, 6], 5)).toBe(0.5);
  });
});

describe('predictedClasses', () => {
  it('takes the lowest index among tied maxima', () => {
    expect(Array.from(predictedClasses({ values: [1, 3, 3, 0, 0, -1], numClasses: 3 }))).toEqual([1, 0]);
  });
});

describe('ConfusionMatrix', () => {
  it('counts label and prediction pairs over batches', () => {
    const matrix = new ConfusionMatrix(3);

    matrix.add([0, 1, 2], [0, 2, 2]);
    matrix.add([1, 1], [1, 2]);

    expect(matrix.counts).toEqual([
      [1, 0, 0],
      [0, 1, 2],
      [0, 0, 1],
    ]);
    expect(matrix.totalCount).toBe(5);
    expect(matrix.perClassRecall()).toEqual([1, 1 / 3, 1]);
  });

  it('rejects a prediction outside the classes', () => {
    expect(() => new ConfusionMatrix(2).add([0], [2])).toThrow('prediction 2 at index 0 is out of range for 2 classes');
  });
});
