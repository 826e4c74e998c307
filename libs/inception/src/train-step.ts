import * as tf from '@tensorflow/tfjs';

import { computeLosses, LABEL_SMOOTHING, smoothLabels, type LossTensors } from './losses.js';
import type { TrainingState } from './training-state.js';

export interface TrainBatch {
  /** [batch, imageSize, imageSize, 3], scaled to [-1, 1]. The caller keeps ownership. */
  images: tf.Tensor4D;
  /** Logit indices 1..N of the dataset's classes, one per image. */
  labels: tf.Tensor1D | ArrayLike<number>;
}

export interface TrainStepOptions {
  /** Global step before this step's increment, which sets the moving-average warm-up. */
  step: number;
  /** Usually `learningRateAt(step, schedule)`. */
  learningRate: number;
  /** Default 0.1. */
  labelSmoothing?: number;
  /** Default 0.4. */
  auxLossWeight?: number;
}

/** Loss values of one step, computed before the update. */
export interface StepLosses {
  /** main + auxLossWeight · aux + regularization */
  totalLoss: number;
  mainLoss: number;
  /** Unweighted aux-head loss, or 0 without an aux head. */
  auxLoss: number;
  regularizationLoss: number;
}

/**
 * Runs one training step of research/inception: forward pass in training mode (batch statistics,
 * which also move the batch-norm moving statistics, and dropout), gradients of the total loss,
 * one RMSProp update, then one moving-average update. Every tensor it creates is disposed.
 *
 * A NaN loss is returned, not thrown. The caller decides whether to stop, as research/inception
 * does with "Model diverged with loss = NaN".
 */
export async function trainStep(state: TrainingState, batch: TrainBatch, options: TrainStepOptions): Promise<StepLosses> {
  validateBatch(state, batch);
  if (!(Number.isInteger(options.step) && options.step >= 0)) {
    throw new RangeError(`trainStep: step ${options.step} is invalid. It must be an integer of at least 0`);
  }
  if (!(Number.isFinite(options.learningRate) && options.learningRate >= 0)) {
    throw new RangeError(`trainStep: learningRate ${options.learningRate} is invalid. It must be a number of at least 0`);
  }
  if (state.movingAverage.isShadowAssigned) {
    throw new Error('trainStep: the moving averages are assigned to the model. Call movingAverage.restoreVariables() first');
  }

  const targets = smoothLabels(batch.labels, state.config.numClasses, options.labelSmoothing ?? LABEL_SMOOTHING);
  let parts: LossTensors | undefined;
  let gradientsByVariableName: tf.NamedTensorMap = {};
  let totalLoss: tf.Scalar | undefined;

  try {
    const result = tf.variableGrads(() => {
      const outputs = state.model.apply(batch.images, { training: true }) as tf.Tensor2D | tf.Tensor2D[];
      const [logits, auxLogits] = Array.isArray(outputs) ? outputs : [outputs];
      const losses = computeLosses({
        logits,
        auxLogits,
        targets,
        regularizedWeights: state.regularizedVariables.map((entry) => entry.variable),
        weightDecay: state.config.weightDecay,
        auxLossWeight: options.auxLossWeight,
      });
      // Kept so the values survive the gradient scope, which disposes everything else.
      parts = {
        totalLoss: tf.keep(losses.totalLoss),
        mainLoss: tf.keep(losses.mainLoss),
        auxLoss: tf.keep(losses.auxLoss),
        regularizationLoss: tf.keep(losses.regularizationLoss),
      };
      return losses.totalLoss;
    }, state.trainableVariables.map((entry) => entry.variable));
    totalLoss = result.value;
    gradientsByVariableName = result.grads;

    // tfjs keys gradients by its unique variable name, but the optimizer keys them by checkpoint name.
    const gradients: Record<string, tf.Tensor> = {};
    for (const entry of state.trainableVariables) {
      gradients[entry.name] = gradientsByVariableName[entry.variable.name];
    }
    state.optimizer.applyGradients(gradients, options.learningRate);
    state.movingAverage.apply(options.step);

    const losses = parts as LossTensors | undefined;
    if (losses === undefined) {
      throw new Error('trainStep: the loss function did not run');
    }
    const [total, main, aux, regularization] = await Promise.all(
      [losses.totalLoss, losses.mainLoss, losses.auxLoss, losses.regularizationLoss].map((tensor) => tensor.data()),
    );
    return { totalLoss: total[0], mainLoss: main[0], auxLoss: aux[0], regularizationLoss: regularization[0] };
  } finally {
    targets.dispose();
    totalLoss?.dispose();
    tf.dispose(Object.values(gradientsByVariableName));
    const keptLosses = parts as LossTensors | undefined;
    if (keptLosses !== undefined) {
      tf.dispose(Object.values(keptLosses));
    }
  }
}

function validateBatch(state: TrainingState, batch: TrainBatch): void {
  const { imageSize } = state.config;
  const [batchSize, height, width, channels] = batch.images.shape;
  if (batch.images.rank !== 4 || height !== imageSize || width !== imageSize || channels !== 3) {
    throw new RangeError(
      `trainStep: images have shape [${batch.images.shape.join(', ')}] but the model takes [batch, ${imageSize}, ${imageSize}, 3]`,
    );
  }
  const labelCount = batch.labels instanceof tf.Tensor ? batch.labels.size : batch.labels.length;
  if (labelCount !== batchSize) {
    throw new RangeError(`trainStep: ${labelCount} labels for ${batchSize} images`);
  }
}
