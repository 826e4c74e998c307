import type * as tf from '@tensorflow/tfjs';

import type { ModelSummary } from './summary.js';

const FLOAT32_BYTES = 4;

/** Tensors per trainable parameter kept between steps: the weight, the two RMSProp slots and the moving average. */
export const STORED_COPIES_PER_TRAINABLE_PARAMETER = 4;

/** Tensors per batch-norm moving statistic kept between steps: the value and its moving average. */
export const STORED_COPIES_PER_NON_TRAINABLE_PARAMETER = 2;

/**
 * Parameter-sized tensors alive at the peak of a step besides the stored ones: the gradient and
 * the temporaries of the RMSProp and moving-average updates. Measured as 7.0 to 7.2 with
 * `tf.profile` on tfjs 4.22 (wasm and cpu track the same bytes) for Inception v3 at 75 and 299 pixels.
 */
export const STEP_COPIES_PER_TRAINABLE_PARAMETER = 7;

/**
 * Bytes alive at the peak of a step per byte of layer outputs, for each image of the batch: the
 * forward activations kept for the backward pass, their gradients and the intermediates of batch
 * normalization and the fused convolutions. Measured as 6.6 to 6.7 in the same runs.
 */
export const ACTIVATION_BYTES_FACTOR = 7;

/** What the memory of a training step depends on, taken from a model summary. */
export interface TrainingMemoryProfile {
  /** Bytes of every layer's float32 output for one image, the input layer included. */
  activationBytesPerImage: number;
  trainableParamCount: number;
  nonTrainableParamCount: number;
}

/** Estimated bytes of one training step at a batch size, split by what needs them. */
export interface TrainingMemoryEstimate {
  batchSize: number;
  /** Weights, optimizer slots, averages and the per-step gradient and update temporaries. */
  parameterBytes: number;
  /** activationBytesPerImage × ACTIVATION_BYTES_FACTOR × batchSize. */
  activationBytes: number;
  totalBytes: number;
}

/** Sums the per-image output sizes of a model's layers and takes its parameter counts. */
export function trainingMemoryProfile(summary: ModelSummary): TrainingMemoryProfile {
  let activationValuesPerImage = 0;
  for (const layer of summary.layers) {
    for (const shape of outputShapesOf(layer.outputShape)) {
      activationValuesPerImage += valuesPerExample(shape);
    }
  }
  return {
    activationBytesPerImage: activationValuesPerImage * FLOAT32_BYTES,
    trainableParamCount: summary.trainableParamCount,
    nonTrainableParamCount: summary.nonTrainableParamCount,
  };
}

/**
 * Estimates the peak bytes of tensors during one training step (`trainStep`) at `batchSize`.
 * It is an estimate of the tensors tfjs tracks: allocator overhead, such as the slack of a
 * growing wasm heap, is not included, so callers compare it against a budget with a margin.
 */
export function estimateTrainingMemoryBytes(profile: TrainingMemoryProfile, batchSize: number): TrainingMemoryEstimate {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new RangeError(`estimateTrainingMemoryBytes: batchSize ${batchSize} is invalid. It must be an integer of at least 1`);
  }
  const parameterBytes = fixedBytesOf(profile);
  const activationBytes = profile.activationBytesPerImage * ACTIVATION_BYTES_FACTOR * batchSize;
  return { batchSize, parameterBytes, activationBytes, totalBytes: parameterBytes + activationBytes };
}

/**
 * Returns the largest batch size up to `maxBatchSize` whose estimate fits in `budgetBytes`, or 0
 * when not even one image fits.
 */
export function largestBatchWithinMemory(profile: TrainingMemoryProfile, budgetBytes: number, maxBatchSize: number): number {
  if (!(Number.isFinite(budgetBytes) && budgetBytes >= 0)) {
    throw new RangeError(`largestBatchWithinMemory: budgetBytes ${budgetBytes} is invalid. It must be a number of at least 0`);
  }
  if (!(Number.isInteger(maxBatchSize) && maxBatchSize >= 1)) {
    throw new RangeError(`largestBatchWithinMemory: maxBatchSize ${maxBatchSize} is invalid. It must be an integer of at least 1`);
  }
  const bytesPerImage = profile.activationBytesPerImage * ACTIVATION_BYTES_FACTOR;
  const fitting = Math.floor((budgetBytes - fixedBytesOf(profile)) / bytesPerImage);
  return Math.max(0, Math.min(maxBatchSize, fitting));
}

function fixedBytesOf(profile: TrainingMemoryProfile): number {
  const trainableCopies = STORED_COPIES_PER_TRAINABLE_PARAMETER + STEP_COPIES_PER_TRAINABLE_PARAMETER;
  const values = profile.trainableParamCount * trainableCopies + profile.nonTrainableParamCount * STORED_COPIES_PER_NON_TRAINABLE_PARAMETER;
  return values * FLOAT32_BYTES;
}

// A layer with several outputs reports one shape per output, so tfjs types the field as tf.Shape | tf.Shape[].
function outputShapesOf(outputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
  return outputShape.length > 0 && Array.isArray(outputShape[0]) ? (outputShape as tf.Shape[]) : [outputShape as tf.Shape];
}

function valuesPerExample(shape: tf.Shape): number {
  return shape.slice(1).reduce<number>((product, dimension) => product * (dimension ?? 1), 1);
}
