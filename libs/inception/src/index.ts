export { SameAveragePool } from './average-pool.js';
export { BatchNorm, type BatchNormArgs } from './batch-norm.js';
export {
  DEFAULT_INCEPTION_V3_OPTIONS,
  MIN_IMAGE_SIZE,
  MIN_IMAGE_SIZE_WITH_AUX_LOGITS,
  resolveInceptionV3Config,
  scaledDepth,
  type InceptionV3Config,
  type InceptionV3Options,
} from './config.js';
export { evaluateBatch, type BatchEvaluation } from './eval-step.js';
export {
  assertLabelsInRange,
  AUX_LOSS_WEIGHT,
  computeLosses,
  l2RegularizationLoss,
  LABEL_SMOOTHING,
  smoothLabels,
  softmaxCrossEntropy,
  type LossInputs,
  type LossTensors,
} from './losses.js';
export {
  ACTIVATION_BYTES_FACTOR,
  estimateTrainingMemoryBytes,
  largestBatchWithinMemory,
  STEP_COPIES_PER_TRAINABLE_PARAMETER,
  STORED_COPIES_PER_NON_TRAINABLE_PARAMETER,
  STORED_COPIES_PER_TRAINABLE_PARAMETER,
  trainingMemoryProfile,
  type TrainingMemoryEstimate,
  type TrainingMemoryProfile,
} from './memory-estimate.js';
export { ConfusionMatrix, inTopK, predictedClasses, topKAccuracy, type LogitsInput } from './metrics.js';
export { buildInceptionV3, inceptionV3ConfigOf } from './model.js';
export {
  CLASSIFIER_SCOPES,
  isClassifierVariableName,
  listModelVariables,
  type ModelVariable,
  type VariableRole,
} from './model-variables.js';
export { effectiveDecayAt, ExponentialMovingAverage, MOVING_AVERAGE_DECAY, SHADOW_SUFFIX } from './moving-average.js';
export type { NamedVariable } from './named-variable.js';
export { SMALL_CONFIGURATION } from './presets.js';
export { MEAN_SQUARE_SLOT_SUFFIX, MOMENTUM_SLOT_SUFFIX, RmsPropOptimizer, type RmsPropOptions } from './rmsprop.js';
export { decayStepsOf, learningRateAt, type LearningRateScheduleOptions } from './schedule.js';
export { summarizeModel, type LayerSummary, type ModelSummary } from './summary.js';
export { trainStep, type StepLosses, type TrainBatch, type TrainStepOptions } from './train-step.js';
export { TrainingState, type CheckpointRestoreResult, type TrainingStateOptions } from './training-state.js';
export { exportStockModel, type ExportOptions } from './export.js';
