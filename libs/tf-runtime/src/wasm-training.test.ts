import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from './init-backend.js';
import { maxRelativeError, seededNormalValues } from './testing/backend-parity.js';

const imageSizePixels = 37;
const classCount = 5;
const filterCount = 8;

/**
 * A small net of Inception v3 building blocks. It has convolutions with and
 * without bias (1x1, 3x3, 5x5, 1x7, 7x1, strides 1 and 2, SAME and VALID),
 * batch normalisation from basic ops and ReLU. It also has max and average
 * pools (3x3 stride 1 SAME and stride 2 VALID, global 8x8), concatenation,
 * dropout and a dense classifier. A 37x37 input leaves an 8x8 map for the
 * global pool.
 */
class InceptionStyleNet {
  private readonly convolutions = {
    stem: conv(3, 2, 'valid', false),
    branch1x1: conv(1, 1, 'same', false),
    branch3x3: conv(3, 1, 'same', true),
    branch5x5: conv(5, 1, 'same', false),
    branch7x1: conv([7, 1], 1, 'same', false),
    branch1x7: conv([1, 7], 1, 'same', false),
    reduction: conv(3, 2, 'valid', false),
  };
  // Inception's batch normalisation has an offset (beta) but no scale. The 3x3
  // branch has a bias and no batch normalisation, because batch normalisation
  // cancels the gradient of a bias in front of it to rounding noise.
  private readonly offsets = Object.fromEntries(
    Object.keys(this.convolutions)
      .filter((name) => name !== 'branch3x3')
      .map((name) => [name, tf.variable(tf.zeros([filterCount]))]),
  );
  private readonly maxPoolSame = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' });
  private readonly averagePoolSame = tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' });
  private readonly maxPoolReduce = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid' });
  private readonly averagePoolReduce = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'valid' });
  private readonly globalPool = tf.layers.averagePooling2d({ poolSize: 8, strides: 8, padding: 'valid' });
  private readonly concatenate = tf.layers.concatenate({ axis: -1 });
  private readonly dropout = tf.layers.dropout({ rate: 0.2, seed: 1 });
  private readonly flatten = tf.layers.flatten();
  private readonly classifier = tf.layers.dense({ units: classCount, kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) });

  /** Returns the logits for images x, applying dropout when `training` is true. */
  logits(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    const stem = this.convBatchNormRelu('stem', x);
    const mixed = this.concatenate.apply([
      this.convBatchNormRelu('branch1x1', stem),
      tf.relu(this.convolutions.branch3x3.apply(stem) as tf.Tensor4D),
      this.convBatchNormRelu('branch5x5', this.maxPoolSame.apply(stem) as tf.Tensor4D),
      this.convBatchNormRelu('branch1x7', this.convBatchNormRelu('branch7x1', this.averagePoolSame.apply(stem) as tf.Tensor4D)),
    ]) as tf.Tensor4D;
    const reduced = this.concatenate.apply([
      this.convBatchNormRelu('reduction', mixed),
      this.maxPoolReduce.apply(mixed) as tf.Tensor4D,
      this.averagePoolReduce.apply(mixed) as tf.Tensor4D,
    ]) as tf.Tensor4D;
    const pooled = this.flatten.apply(this.globalPool.apply(reduced)) as tf.Tensor2D;
    return this.classifier.apply(this.dropout.apply(pooled, { training })) as tf.Tensor2D;
  }

  private convBatchNormRelu(name: Exclude<keyof typeof this.convolutions, 'branch3x3'>, x: tf.Tensor4D): tf.Tensor4D {
    const y = this.convolutions[name].apply(x) as tf.Tensor4D;
    const { mean, variance } = tf.moments(y, [0, 1, 2], true);
    const normalised = tf.mul(tf.sub(y, mean), tf.rsqrt(tf.add(variance, 1e-3)));
    return tf.relu(tf.add(normalised, this.offsets[name])) as tf.Tensor4D;
  }
}

function conv(kernelSize: number | [number, number], strides: number, padding: 'same' | 'valid', useBias: boolean) {
  return tf.layers.conv2d({
    filters: filterCount,
    kernelSize,
    strides,
    padding,
    useBias,
    kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
  });
}

/** Returns a net whose layer weights exist, because `tf.variableGrads` only differentiates variables created before it runs. */
function buildNet(images: tf.Tensor4D): InceptionStyleNet {
  const net = new InceptionStyleNet();
  tf.tidy(() => net.logits(images, false));
  return net;
}

function loss(net: InceptionStyleNet, images: tf.Tensor4D, labels: tf.Tensor2D, training: boolean): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, net.logits(images, training)) as tf.Scalar;
}

function makeBatch(batchSize: number, seed: number): { images: tf.Tensor4D; labels: tf.Tensor2D } {
  const shape: [number, number, number, number] = [batchSize, imageSizePixels, imageSizePixels, 3];
  const images = tf.tensor4d(seededNormalValues(tf.util.sizeFromShape(shape), seed), shape);
  const classIds = Array.from({ length: batchSize }, (_, i) => i % classCount);
  const labels = tf.oneHot(tf.tensor1d(classIds, 'int32'), classCount) as tf.Tensor2D;
  return { images, labels };
}

describe('training on wasm', () => {
  beforeAll(async () => {
    await initBackend({ forced: 'wasm' });
  });

  it('lowers the loss and keeps the tensor count', async () => {
    await tf.setBackend('wasm');
    const { images, labels } = makeBatch(8, 21);
    const net = buildNet(images);
    const optimizer: tf.Optimizer = tf.train.momentum(0.05, 0.9);
    const stepCount = 12;
    const losses: number[] = [];
    const tensorCounts: number[] = [];

    for (let step = 0; step < stepCount; step++) {
      const { value, grads } = tf.variableGrads(() => loss(net, images, labels, true));
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
    const { images, labels } = makeBatch(4, 22);
    const net = buildNet(images);
    const expected = tf.variableGrads(() => loss(net, images, labels, false));
    const expectedValues = Object.fromEntries(
      Object.entries(expected.grads).map(([name, gradient]) => [name, gradient.dataSync()]),
    );
    tf.dispose([expected.value, expected.grads]);

    await tf.setBackend('wasm');
    const actual = tf.variableGrads(() => loss(net, images, labels, false));

    expect(Object.keys(actual.grads).sort()).toEqual(Object.keys(expectedValues).sort());
    for (const [name, gradient] of Object.entries(actual.grads)) {
      expect(maxRelativeError(gradient.dataSync(), expectedValues[name]), name).toBeLessThanOrEqual(1e-3);
    }
    tf.dispose([actual.value, actual.grads, images, labels]);
  });
});
