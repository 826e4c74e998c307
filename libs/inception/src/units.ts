import * as tf from '@tensorflow/tfjs';

import { SameAveragePool } from './average-pool.js';
import { BatchNorm } from './batch-norm.js';
import { scaledDepth, type InceptionV3Config } from './config.js';

export type KernelSize = number | [height: number, width: number];

export interface ConvUnitOptions {
  /** Stride in both dimensions. Default 1. */
  strides?: number;
  /** Default 'same', the padding inside the mixed blocks. */
  padding?: 'same' | 'valid';
  /** Standard deviation of the truncated-normal weight initializer. Default 0.1. */
  stddev?: number;
}

/**
 * Adds convolution (no bias) → batch norm (beta, no gamma) → ReLU under `scope`.
 *
 * The layers are named `<scope>` (weights `<scope>/kernel`), `<scope>/BatchNorm` (weights
 * `<scope>/BatchNorm/{beta,moving_mean,moving_variance}`) and `<scope>/Relu`, which mirrors the
 * research/inception variable names `<scope>/weights` and `<scope>/BatchNorm/...`.
 * The output depth is `scaledDepth(depth, config)`.
 */
export function convUnit(
  input: tf.SymbolicTensor,
  scope: string,
  depth: number,
  kernelSize: KernelSize,
  config: InceptionV3Config,
  options: ConvUnitOptions = {},
): tf.SymbolicTensor {
  const convolution = tf.layers.conv2d({
    name: scope,
    filters: scaledDepth(depth, config),
    kernelSize,
    strides: options.strides ?? 1,
    padding: options.padding ?? 'same',
    useBias: false,
    kernelInitializer: tf.initializers.truncatedNormal({ mean: 0, stddev: options.stddev ?? 0.1 }),
  });
  const batchNorm = config.stockLayers
    ? tf.layers.batchNormalization({ name: `${scope}/BatchNorm`, epsilon: config.batchNormEpsilon, momentum: config.batchNormDecay, center: true, scale: true })
    : new BatchNorm({ name: `${scope}/BatchNorm`, epsilon: config.batchNormEpsilon, decay: config.batchNormDecay });
  const relu = tf.layers.reLU({ name: `${scope}/Relu` });

  const convolved = convolution.apply(input) as tf.SymbolicTensor;
  const normalized = batchNorm.apply(convolved) as tf.SymbolicTensor;
  return relu.apply(normalized) as tf.SymbolicTensor;
}

/**
 * A variable scope such as `mixed_35x35x256a/branch5x5` that names its convolutions `Conv`,
 * `Conv_1`, `Conv_2`, … in creation order, as TensorFlow 1 does for unnamed slim convolutions.
 */
export class ConvScope {
  private convolutionCount = 0;

  constructor(
    readonly scope: string,
    private readonly config: InceptionV3Config,
  ) {}

  /** Adds the next unnamed convolution unit of this scope. */
  conv(input: tf.SymbolicTensor, depth: number, kernelSize: KernelSize, options?: ConvUnitOptions): tf.SymbolicTensor {
    const suffix = this.convolutionCount === 0 ? 'Conv' : `Conv_${this.convolutionCount}`;
    this.convolutionCount += 1;
    return convUnit(input, `${this.scope}/${suffix}`, depth, kernelSize, this.config, options);
  }

  /** Returns `<scope>/<name>`, for layers that are not convolution units. */
  nameOf(name: string): string {
    return `${this.scope}/${name}`;
  }
}

/** Adds a 3×3 average pool with stride 1 and SAME padding, the pool branch of the mixed blocks. */
export function avgPool3x3(input: tf.SymbolicTensor, name: string, config?: Pick<InceptionV3Config, 'stockLayers'>): tf.SymbolicTensor {
  // tfjs's own SAME average pooling divides by the valid inputs in the forward pass, as TF does;
  // only its gradient differs, which matters for training, not for an exported model.
  if (config?.stockLayers) {
    return tf.layers.averagePooling2d({ name, poolSize: 3, strides: 1, padding: 'same' }).apply(input) as tf.SymbolicTensor;
  }
  return new SameAveragePool({ name, poolSize: 3 }).apply(input) as tf.SymbolicTensor;
}

/** Adds a 3×3 max pool with stride 2 and VALID padding, the reduction used in the stem and blocks. */
export function maxPool3x3Stride2(input: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  const pool = tf.layers.maxPooling2d({ name, poolSize: 3, strides: 2, padding: 'valid' });
  return pool.apply(input) as tf.SymbolicTensor;
}

/** Concatenates branch outputs along the channel axis, in the order given. */
export function concatChannels(inputs: tf.SymbolicTensor[], name: string): tf.SymbolicTensor {
  return tf.layers.concatenate({ name, axis: 3 }).apply(inputs) as tf.SymbolicTensor;
}
