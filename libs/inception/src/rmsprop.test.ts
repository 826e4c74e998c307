import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { RmsPropOptimizer } from './rmsprop.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectValues(tensor: tf.Tensor, expected: number[], digits = 6): void {
  const values = tensor.dataSync();
  expect(values.length).toBe(expected.length);
  expected.forEach((value, index) => expect(values[index]).toBeCloseTo(value, digits));
}

describe('RmsPropOptimizer', () => {
  it('initializes slots to ones and zeros', () => {
    const optimizer = new RmsPropOptimizer([{ name: 'w', variable: tf.variable(tf.tensor1d([5, 6])) }]);

    const slots = optimizer.getSlots();

    expect(Object.keys(slots)).toEqual(['w/RMSProp', 'w/RMSProp_1']);
    expectValues(slots['w/RMSProp'], [1, 1]);
    expectValues(slots['w/RMSProp_1'], [0, 0]);
  });

  it('applies one update as TensorFlow 1 does', () => {
    const variable = tf.variable(tf.tensor1d([1, -2]));
    const optimizer = new RmsPropOptimizer([{ name: 'w', variable }]);

    optimizer.applyGradients({ w: tf.tensor1d([0.5, -3]) }, 0.1);

    // ms = 0.9 + 0.1 g²; mom = 0.1 g / sqrt(ms + 1); w = w − mom.
    const meanSquare = [0.9 + 0.1 * 0.25, 0.9 + 0.1 * 9];
    const momentum = [(0.1 * 0.5) / Math.sqrt(meanSquare[0] + 1), (0.1 * -3) / Math.sqrt(meanSquare[1] + 1)];
    expectValues(optimizer.getSlots()['w/RMSProp'], meanSquare);
    expectValues(optimizer.getSlots()['w/RMSProp_1'], momentum);
    expectValues(variable, [1 - momentum[0], -2 - momentum[1]]);
  });

  it('carries momentum into update two', () => {
    const variable = tf.variable(tf.tensor1d([1]));
    const optimizer = new RmsPropOptimizer([{ name: 'w', variable }]);

    optimizer.applyGradients({ w: tf.tensor1d([2]) }, 0.1);
    optimizer.applyGradients({ w: tf.tensor1d([-1]) }, 0.05);

    const meanSquare1 = 0.9 * 1 + 0.1 * 4;
    const momentum1 = (0.1 * 2) / Math.sqrt(meanSquare1 + 1);
    const meanSquare2 = 0.9 * meanSquare1 + 0.1 * 1;
    const momentum2 = 0.9 * momentum1 + (0.05 * -1) / Math.sqrt(meanSquare2 + 1);
    expectValues(optimizer.getSlots()['w/RMSProp'], [meanSquare2]);
    expectValues(optimizer.getSlots()['w/RMSProp_1'], [momentum2]);
    expectValues(variable, [1 - momentum1 - momentum2]);
  });

  it('leaves a variable without gradient unchanged', () => {
    const updated = tf.variable(tf.tensor1d([1]));
    const untouched = tf.variable(tf.tensor1d([7]));
    const optimizer = new RmsPropOptimizer([
      { name: 'a', variable: updated },
      { name: 'b', variable: untouched },
    ]);

    optimizer.applyGradients({ a: tf.tensor1d([1]), b: null }, 0.1);

    expectValues(untouched, [7]);
    expectValues(optimizer.getSlots()['b/RMSProp'], [1]);
    expect(updated.dataSync()[0]).toBeLessThan(1);
  });

  it('restores slots so updates continue identically', () => {
    const first = tf.variable(tf.tensor1d([1, 2]));
    const firstOptimizer = new RmsPropOptimizer([{ name: 'w', variable: first }]);
    firstOptimizer.applyGradients({ w: tf.tensor1d([0.3, -0.4]) }, 0.1);
    const second = tf.variable(first.clone());
    const secondOptimizer = new RmsPropOptimizer([{ name: 'w', variable: second }]);

    const saved = Object.fromEntries(Object.entries(firstOptimizer.getSlots()).map(([name, slot]) => [name, slot.clone()]));
    secondOptimizer.setSlots(saved);
    firstOptimizer.applyGradients({ w: tf.tensor1d([1, 1]) }, 0.1);
    secondOptimizer.applyGradients({ w: tf.tensor1d([1, 1]) }, 0.1);

    expectValues(second, Array.from(first.dataSync()));
  });

  it('rejects a slot of the wrong shape', () => {
    const optimizer = new RmsPropOptimizer([{ name: 'w', variable: tf.variable(tf.zeros([2])) }]);

    expect(() => optimizer.setSlots({ 'w/RMSProp': tf.zeros([3]), 'w/RMSProp_1': tf.zeros([2]) })).toThrow(
      'w/RMSProp has shape [3] but the variable is [2]',
    );
  });

  it('rejects missing and unknown slots', () => {
    const optimizer = new RmsPropOptimizer([{ name: 'w', variable: tf.variable(tf.zeros([2])) }]);

    expect(() => optimizer.setSlots({ 'w/RMSProp': tf.zeros([2]) })).toThrow('1 slots are missing, the first is w/RMSProp_1');
    expect(() => optimizer.setSlots({ 'v/RMSProp': tf.zeros([2]) })).toThrow('unknown slot v/RMSProp');
  });

  it('rejects a gradient for an unknown variable', () => {
    const optimizer = new RmsPropOptimizer([{ name: 'w', variable: tf.variable(tf.zeros([2])) }]);

    expect(() => optimizer.applyGradients({ v: tf.zeros([2]) }, 0.1)).toThrow('gradient for unknown variable v');
  });

  it('rejects duplicate variable names', () => {
    const variable = tf.variable(tf.zeros([1]));

    expect(
      () =>
        new RmsPropOptimizer([
          { name: 'w', variable },
          { name: 'w', variable },
        ]),
    ).toThrow('variable name w appears twice');
  });
});
