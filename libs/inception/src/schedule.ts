export interface LearningRateScheduleOptions {
  /** Learning rate of steps 0 … decaySteps − 1. Default 0.1 (the Flowers fine-tune recipe uses 0.001). */
  initialLearningRate?: number;
  /** Epochs between two decays. Default 30. */
  numEpochsPerDecay?: number;
  /** Factor applied at each decay. Default 0.16. */
  decayFactor?: number;
  /** Training examples per epoch: 3170 for Flowers, 1,281,167 for ImageNet. */
  examplesPerEpoch: number;
  /** Examples per training step. */
  batchSize: number;
}

/**
 * Returns the number of steps between two decays:
 * int(examplesPerEpoch / batchSize · numEpochsPerDecay), so 2971 for Flowers at batch 32 and
 * 1,201,094 for ImageNet at batch 32. Throws when the result is below 1.
 */
export function decayStepsOf(options: LearningRateScheduleOptions): number {
  const numEpochsPerDecay = options.numEpochsPerDecay ?? 30;
  requirePositive('examplesPerEpoch', options.examplesPerEpoch);
  requirePositive('batchSize', options.batchSize);
  requirePositive('numEpochsPerDecay', numEpochsPerDecay);

  // Same operation order as the Python original, which truncates the float product.
  const batchesPerEpoch = options.examplesPerEpoch / options.batchSize;
  const decaySteps = Math.trunc(batchesPerEpoch * numEpochsPerDecay);
  if (decaySteps < 1) {
    throw new RangeError(
      `decay steps int(${options.examplesPerEpoch} / ${options.batchSize} · ${numEpochsPerDecay}) = ${decaySteps} ` +
        'is below 1. Raise examplesPerEpoch or numEpochsPerDecay',
    );
  }
  return decaySteps;
}

/**
 * Returns the staircase learning rate of a global step:
 * initialLearningRate · decayFactor ^ floor(step / decaySteps).
 */
export function learningRateAt(step: number, options: LearningRateScheduleOptions): number {
  if (!(Number.isInteger(step) && step >= 0)) {
    throw new RangeError(`learningRateAt: step ${step} is invalid. It must be an integer of at least 0`);
  }
  const initialLearningRate = options.initialLearningRate ?? 0.1;
  const decayFactor = options.decayFactor ?? 0.16;
  requirePositive('initialLearningRate', initialLearningRate);
  requirePositive('decayFactor', decayFactor);

  const decayCount = Math.floor(step / decayStepsOf(options));
  return initialLearningRate * decayFactor ** decayCount;
}

function requirePositive(field: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${field} ${value} is invalid. It must be a number above 0`);
  }
}
