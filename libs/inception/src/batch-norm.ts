import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Kwargs = Parameters<tf.layers.Layer['call']>[1];
type LayerVariable = tf.LayerVariable;

export interface BatchNormArgs extends LayerArgs {
  /** Added to the variance inside the square root. Default 0.001. */
  epsilon?: number;
  /** Decay of the moving mean and variance per training call. Default 0.9997. */
  decay?: number;
}

/**
 * Batch normalization over the last axis with an offset (beta) and no scale (gamma), as in
 * research/inception: output = (x − μ) / sqrt(σ² + ε) + β.
 *
 * In training (`kwargs.training === true`), μ and σ² are the batch mean and population variance over
 * every axis but the last, and each call moves the moving statistics towards them:
 * moving ← moving − (1 − decay)·(moving − batch). Otherwise the moving statistics are used.
 * Weights: `beta` (trainable, zeros), `moving_mean` (zeros) and `moving_variance` (ones).
 *
 * tfjs-layers' own `batchNormalization({scale: false})` cannot be used because in tfjs 4.22 its
 * training path reads the missing gamma.
 *
 * NOTE: TensorFlow 1.x's `assign_moving_average` zero-debiases by default, which research/inception
 * run on TF ≥ 1.0 would inherit. This layer keeps the plain average of the early-2016 code. Which of
 * the two produced the published checkpoint is unknown.
 */
export class BatchNorm extends tf.layers.Layer {
  static readonly className = 'InceptionBatchNorm';

  readonly epsilon: number;
  readonly decay: number;
  private beta: LayerVariable | undefined;
  private movingMean: LayerVariable | undefined;
  private movingVariance: LayerVariable | undefined;

  constructor(args: BatchNormArgs = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 0.001;
    this.decay = args.decay ?? 0.9997;
    if (!(this.epsilon > 0)) {
      throw new RangeError(`BatchNorm ${this.name}: epsilon ${this.epsilon} is invalid. It must be above 0`);
    }
    if (!(this.decay >= 0 && this.decay < 1)) {
      throw new RangeError(`BatchNorm ${this.name}: decay ${this.decay} is invalid. It must be in [0, 1)`);
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels == null) {
      throw new Error(`BatchNorm ${this.name}: the last axis of input shape ${JSON.stringify(shape)} must be known`);
    }

    const zeros = tf.initializers.zeros();
    const ones = tf.initializers.ones();
    this.beta = this.addWeight('beta', [channels], 'float32', zeros, undefined, true);
    this.movingMean = this.addWeight('moving_mean', [channels], 'float32', zeros, undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [channels], 'float32', ones, undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const beta = this.weightOf(this.beta).read();

      // A constant scale of 1: tfjs 4.22's batchNorm without a scale fails under a gradient tape,
      // because its gradient saves the missing scale input.
      const scale = tf.onesLike(beta);

      if (kwargs['training'] !== true) {
        const mean = this.weightOf(this.movingMean).read();
        const variance = this.weightOf(this.movingVariance).read();
        return tf.batchNorm(x, mean, variance, beta, scale, this.epsilon);
      }

      const reductionAxes = x.shape.slice(0, -1).map((_, axis) => axis);
      const { mean, variance } = tf.moments(x, reductionAxes);
      this.moveTowards(this.weightOf(this.movingMean), mean);
      this.moveTowards(this.weightOf(this.movingVariance), variance);
      return tf.batchNorm(x, mean, variance, beta, scale, this.epsilon);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon, decay: this.decay };
  }

  private moveTowards(moving: LayerVariable, batchValue: tf.Tensor): void {
    tf.tidy(() => {
      const current = moving.read();
      const step = tf.mul(tf.sub(current, batchValue), 1 - this.decay);
      moving.write(tf.sub(current, step));
    });
  }

  private weightOf(weight: LayerVariable | undefined): LayerVariable {
    if (weight === undefined) {
      throw new Error(`BatchNorm ${this.name} was called before it was built`);
    }
    return weight;
  }
}

tf.serialization.registerClass(BatchNorm);
