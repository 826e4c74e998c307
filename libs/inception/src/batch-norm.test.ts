import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { BatchNorm } from './batch-norm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Two images of 1×2 pixels with 2 channels: channel 0 is 1, 2, 3, 4 and channel 1 is 10, 10, 10, 30.
const INPUT = [1, 10, 2, 10, 3, 10, 4, 30];
const EPSILON = 0.001;

function builtLayer(decay = 0.9): BatchNorm {
  const layer = new BatchNorm({ name: 'test/BatchNorm', epsilon: EPSILON, decay });
  // Building through apply() gives the weights their scoped names, as inside a model.
  layer.apply(tf.input({ shape: [1, 2, 2] }));
  return layer;
}

describe('BatchNorm', () => {
  it('creates beta and the moving statistics only', () => {
    const layer = builtLayer();

    expect(layer.trainableWeights.map((weight) => weight.originalName)).toEqual(['test/BatchNorm/beta']);
    expect(layer.nonTrainableWeights.map((weight) => weight.originalName)).toEqual([
      'test/BatchNorm/moving_mean',
      'test/BatchNorm/moving_variance',
    ]);
    expect(Array.from(layer.getWeights()[2].dataSync())).toEqual([1, 1]);
  });

  it('normalizes with the moving statistics in inference', () => {
    const layer = builtLayer();
    layer.setWeights([tf.tensor1d([0.5, -1]), tf.tensor1d([2, 10]), tf.tensor1d([4, 100])]);

    const output = layer.apply(tf.tensor4d(INPUT, [2, 1, 2, 2])) as tf.Tensor;

    const expected = INPUT.map((value, index) =>
      index % 2 === 0 ? (value - 2) / Math.sqrt(4 + EPSILON) + 0.5 : (value - 10) / Math.sqrt(100 + EPSILON) - 1,
    );
    expectClose(output.dataSync(), expected);
  });

  it('uses and tracks batch moments in training', () => {
    const layer = builtLayer(0.9);

    const output = layer.apply(tf.tensor4d(INPUT, [2, 1, 2, 2]), { training: true }) as tf.Tensor;

    // Channel 0: mean 2.5, population variance 1.25. Channel 1: mean 15, variance 75.
    const expected = INPUT.map((value, index) =>
      index % 2 === 0 ? (value - 2.5) / Math.sqrt(1.25 + EPSILON) : (value - 15) / Math.sqrt(75 + EPSILON),
    );
    expectClose(output.dataSync(), expected);
    const [, movingMean, movingVariance] = layer.getWeights();
    expectClose(movingMean.dataSync(), [0.25, 1.5]);
    expectClose(movingVariance.dataSync(), [0.9 + 0.125, 0.9 + 7.5]);
  });

  it('passes gradients through the batch moments', () => {
    const layer = builtLayer();
    const input = tf.tensor4d(INPUT, [2, 1, 2, 2]);
    const weights = tf.tensor4d([0.3, -1, 2, 0.5, -0.7, 1.5, 1, 0.2], [2, 1, 2, 2]);
    const lossOf = (normalized: tf.Tensor) => tf.sum(tf.mul(tf.square(normalized), weights));

    const layerGradient = tf.grad((x: tf.Tensor) => lossOf(layer.apply(x, { training: true }) as tf.Tensor))(input);
    const referenceGradient = tf.grad((x: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return lossOf(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPSILON))));
    })(input);

    expectClose(layerGradient.dataSync(), Array.from(referenceGradient.dataSync()), 1e-4);
  });

  it('round-trips through its config', () => {
    const layer = builtLayer(0.99);

    const copy = BatchNorm.fromConfig(BatchNorm, layer.getConfig()) as BatchNorm;

    expect(copy.epsilon).toBe(EPSILON);
    expect(copy.decay).toBe(0.99);
    expect(BatchNorm.className).toBe('InceptionBatchNorm');
  });

  it('rejects a decay of 1', () => {
    expect(() => new BatchNorm({ decay: 1 })).toThrow('decay 1 is invalid');
  });
});

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let index = 0; index < expected.length; index += 1) {
    expect(actual[index]).toBeCloseTo(expected[index], -Math.log10(tolerance));
  }
}
