import * as tf from '@tensorflow/tfjs';

import { seededNormalValues } from './backend-parity.js';

/** Size options of `InceptionStyleNet`. */
export interface InceptionStyleNetOptions {
  /** Height and width of the square input images, in pixels. At least 7. */
  imageSizePixels: number;
  /** Output channels of every convolution. */
  filterCount: number;
  classCount: number;
}

type ConvolutionName = 'stem' | 'branch1x1' | 'branch3x3' | 'branch5x5' | 'branch7x1' | 'branch1x7' | 'reduction';

/**
 * A small net of Inception v3 building blocks for tests and benchmarks. It
 * has convolutions with and without bias (1x1, 3x3, 5x5, 1x7, 7x1, strides 1
 * and 2, SAME and VALID), batch normalisation from basic ops and ReLU. It
 * also has max and average pools (3x3 stride 1 SAME and stride 2 VALID, and a
 * global pool), concatenation, dropout and a dense classifier. A 37x37 input
 * leaves an 8x8 map for the global pool, as in Inception v3.
 */
export class InceptionStyleNet {
  private readonly convolutions: Record<ConvolutionName, tf.layers.Layer>;
  // Inception's batch normalisation has an offset (beta) but no scale. The 3x3
  // branch has a bias and no batch normalisation, because batch normalisation
  // cancels the gradient of a bias in front of it to rounding noise.
  private readonly offsets: Record<Exclude<ConvolutionName, 'branch3x3'>, tf.Variable>;
  private readonly maxPoolSame = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' });
  private readonly averagePoolSame = tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' });
  private readonly maxPoolReduce = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid' });
  private readonly averagePoolReduce = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'valid' });
  private readonly globalPool: tf.layers.Layer;
  private readonly concatenate = tf.layers.concatenate({ axis: -1 });
  private readonly dropout = tf.layers.dropout({ rate: 0.2, seed: 1 });
  private readonly flatten = tf.layers.flatten();
  private readonly classifier: tf.layers.Layer;

  constructor(readonly options: InceptionStyleNetOptions) {
    const { imageSizePixels, filterCount, classCount } = options;
    const conv = (kernelSize: number | [number, number], strides: number, padding: 'same' | 'valid', useBias: boolean) =>
      tf.layers.conv2d({
        filters: filterCount,
        kernelSize,
        strides,
        padding,
        useBias,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      });

    this.convolutions = {
      stem: conv(3, 2, 'valid', false),
      branch1x1: conv(1, 1, 'same', false),
      branch3x3: conv(3, 1, 'same', true),
      branch5x5: conv(5, 1, 'same', false),
      branch7x1: conv([7, 1], 1, 'same', false),
      branch1x7: conv([1, 7], 1, 'same', false),
      reduction: conv(3, 2, 'valid', false),
    };
    const offset = () => tf.variable(tf.zeros([filterCount]));
    this.offsets = {
      stem: offset(),
      branch1x1: offset(),
      branch5x5: offset(),
      branch7x1: offset(),
      branch1x7: offset(),
      reduction: offset(),
    };

    // The stem and the reduction each apply a 3x3 stride-2 VALID window.
    const stemSize = Math.floor((imageSizePixels - 3) / 2) + 1;
    const reducedSize = Math.floor((stemSize - 3) / 2) + 1;
    this.globalPool = tf.layers.averagePooling2d({ poolSize: reducedSize, strides: reducedSize, padding: 'valid' });
    this.classifier = tf.layers.dense({ units: classCount, kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) });

    // tf.variableGrads differentiates only variables that exist before it runs,
    // so the layers create their weights here.
    tf.tidy(() => this.logits(tf.zeros([1, imageSizePixels, imageSizePixels, 3]), false));
  }

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

  /** Returns the softmax cross-entropy of the logits for `images` against one-hot `labels`. */
  loss(images: tf.Tensor4D, labels: tf.Tensor2D, training: boolean): tf.Scalar {
    return tf.losses.softmaxCrossEntropy(labels, this.logits(images, training)) as tf.Scalar;
  }

  /** Returns seeded standard-normal images and one-hot labels that cycle through the classes. */
  makeBatch(batchSize: number, seed: number): { images: tf.Tensor4D; labels: tf.Tensor2D } {
    const { imageSizePixels, classCount } = this.options;
    const shape: [number, number, number, number] = [batchSize, imageSizePixels, imageSizePixels, 3];
    const images = tf.tensor4d(seededNormalValues(tf.util.sizeFromShape(shape), seed), shape);
    const classIds = Array.from({ length: batchSize }, (_, i) => i % classCount);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(classIds, 'int32'), classCount) as tf.Tensor2D);
    return { images, labels };
  }

  private convBatchNormRelu(name: Exclude<ConvolutionName, 'branch3x3'>, x: tf.Tensor4D): tf.Tensor4D {
    const y = this.convolutions[name].apply(x) as tf.Tensor4D;
    const { mean, variance } = tf.moments(y, [0, 1, 2], true);
    const normalised = tf.mul(tf.sub(y, mean), tf.rsqrt(tf.add(variance, 1e-3)));
    return tf.relu(tf.add(normalised, this.offsets[name])) as tf.Tensor4D;
  }
}
