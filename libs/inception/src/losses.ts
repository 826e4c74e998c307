import * as tf from '@tensorflow/tfjs';

/** Label smoothing of the main and aux losses in research/inception. */
export const LABEL_SMOOTHING = 0.1;

/** Weight of the aux-head loss in the total loss. */
export const AUX_LOSS_WEIGHT = 0.4;

/**
 * Returns smoothed one-hot targets [batch, numClasses]: 1 − smoothing + smoothing/numClasses at
 * the label and smoothing/numClasses elsewhere (0.9000999 and about 9.99e-5 for 1001 classes).
 *
 * Labels are logit indices: 1..N for a dataset of N classes, whose model has N + 1 logits.
 * Throws when a label is not an integer in [0, numClasses), the case TensorFlow reports as
 * "targets out of range".
 */
export function smoothLabels(
  labels: tf.Tensor1D | ArrayLike<number>,
  numClasses: number,
  smoothing: number = LABEL_SMOOTHING,
): tf.Tensor2D {
  if (!(smoothing >= 0 && smoothing <= 1)) {
    throw new RangeError(`smoothLabels: smoothing ${smoothing} is invalid. It must be in [0, 1]`);
  }
  const labelValues = labels instanceof tf.Tensor ? labels.dataSync() : labels;
  assertLabelsInRange(labelValues, numClasses);

  return tf.tidy(() => {
    const indices = tf.tensor1d(Array.from(labelValues), 'int32');
    const oneHot = tf.oneHot(indices, numClasses).toFloat();
    return tf.add(tf.mul(oneHot, 1 - smoothing), smoothing / numClasses) as tf.Tensor2D;
  });
}

/** Throws a RangeError naming the first label that is not an integer in [0, numClasses). */
export function assertLabelsInRange(labels: ArrayLike<number>, numClasses: number): void {
  for (let index = 0; index < labels.length; index += 1) {
    const label = labels[index];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new RangeError(
        `label ${label} at batch index ${index} is out of range for ${numClasses} logits. ` +
          `Expected an integer in [0, ${numClasses - 1}], because dataset labels are 1..N and the model needs N + 1 logits`,
      );
    }
  }
}

/** Returns the softmax cross-entropy between logits and target distributions, averaged over the batch. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const perExample = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1));
    return tf.mean(perExample) as tf.Scalar;
  });
}

/** Returns weightDecay · Σ sum(w²)/2 over the given weights tensors (TensorFlow's l2_loss halves). */
export function l2RegularizationLoss(weights: readonly tf.Tensor[], weightDecay: number): tf.Scalar {
  return tf.tidy(() => {
    if (weights.length === 0) {
      return tf.scalar(0);
    }
    const squareSums = weights.map((weight) => tf.sum(tf.square(weight)));
    return tf.mul(tf.addN(squareSums), weightDecay / 2) as tf.Scalar;
  });
}

export interface LossInputs {
  logits: tf.Tensor2D;
  /** Output of the aux head, or undefined when the model has none. */
  auxLogits?: tf.Tensor2D;
  /** Smoothed targets from `smoothLabels`, shared by both heads. */
  targets: tf.Tensor2D;
  /** Convolution and fully connected weights tensors, without biases or batch-norm betas. */
  regularizedWeights: readonly tf.Tensor[];
  weightDecay: number;
  /** Default 0.4. */
  auxLossWeight?: number;
}

export interface LossTensors {
  totalLoss: tf.Scalar;
  mainLoss: tf.Scalar;
  /** Unweighted aux-head cross-entropy, 0 without an aux head. */
  auxLoss: tf.Scalar;
  regularizationLoss: tf.Scalar;
}

/** Computes total = main + auxLossWeight · aux + regularization, the loss research/inception minimizes. */
export function computeLosses(inputs: LossInputs): LossTensors {
  const auxLossWeight = inputs.auxLossWeight ?? AUX_LOSS_WEIGHT;

  const mainLoss = softmaxCrossEntropy(inputs.logits, inputs.targets);
  const auxLoss = inputs.auxLogits === undefined ? tf.scalar(0) : softmaxCrossEntropy(inputs.auxLogits, inputs.targets);
  const regularizationLoss = l2RegularizationLoss(inputs.regularizedWeights, inputs.weightDecay);

  const totalLoss = tf.tidy(() => tf.addN([mainLoss, tf.mul(auxLoss, auxLossWeight), regularizationLoss]) as tf.Scalar);
  return { totalLoss, mainLoss, auxLoss, regularizationLoss };
}
