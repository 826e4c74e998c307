import type { TrainingConfig } from '@inception/proto';

/** Training settings with every recipe default applied; the names follow TrainingConfig's fields. */
export interface HyperParameters {
  imageSize: number;
  depthMultiplier: number;
  minDepth: number;
  batchSize: number;
  maxSteps: number;
  initialLearningRate: number;
  numEpochsPerDecay: number;
  learningRateDecayFactor: number;
  batchNormDecay: number;
  movingAverageDecay: number;
  labelSmoothing: number;
  weightDecay: number;
  auxLogits: boolean;
  checkpointEverySteps: number;
  seed: number;
}

/** Thrown when a job's hyper-parameters are out of range; the message names the field and value. */
export class HyperParameterError extends Error {
  override readonly name = 'HyperParameterError';
}

/** The research/inception recipe (inception_train.py and inception_model.py). */
export const RECIPE_DEFAULTS = {
  imageSize: 299,
  depthMultiplier: 1,
  minDepth: 16,
  batchSize: 32,
  initialLearningRate: 0.1,
  numEpochsPerDecay: 30,
  learningRateDecayFactor: 0.16,
  batchNormDecay: 0.9997,
  movingAverageDecay: 0.9999,
  labelSmoothing: 0.1,
  weightDecay: 0.00004,
  checkpointEverySteps: 5000,
} as const;

const AUX_HEAD_MIN_IMAGE_SIZE = 107;

function check(condition: boolean, message: string): void {
  if (!condition) throw new HyperParameterError(message);
}

/** Applies the recipe's defaults to zero fields and validates the result. */
export function resolveHyperParameters(config: TrainingConfig | undefined, randomSeed: () => number, options: { requireSteps?: boolean } = {}): HyperParameters {
  const pick = <K extends keyof typeof RECIPE_DEFAULTS>(key: K, value: number | undefined) => (value ? value : RECIPE_DEFAULTS[key]);
  const imageSize = pick('imageSize', config?.imageSize);
  const resolved: HyperParameters = {
    imageSize,
    depthMultiplier: pick('depthMultiplier', config?.depthMultiplier),
    minDepth: pick('minDepth', config?.minDepth),
    batchSize: pick('batchSize', config?.batchSize),
    maxSteps: config?.maxSteps ?? 0,
    initialLearningRate: pick('initialLearningRate', config?.initialLearningRate),
    numEpochsPerDecay: pick('numEpochsPerDecay', config?.numEpochsPerDecay),
    learningRateDecayFactor: pick('learningRateDecayFactor', config?.learningRateDecayFactor),
    batchNormDecay: pick('batchNormDecay', config?.batchNormDecay),
    movingAverageDecay: pick('movingAverageDecay', config?.movingAverageDecay),
    labelSmoothing: pick('labelSmoothing', config?.labelSmoothing),
    weightDecay: pick('weightDecay', config?.weightDecay),
    auxLogits: config?.auxLogits ?? imageSize >= AUX_HEAD_MIN_IMAGE_SIZE,
    checkpointEverySteps: pick('checkpointEverySteps', config?.checkpointEverySteps),
    seed: config?.seed ?? randomSeed(),
  };

  check(resolved.maxSteps > 0 || options.requireSteps === false, 'config.max_steps must be set to a positive number of steps');
  check(resolved.imageSize >= 75, `config.image_size ${resolved.imageSize} is below the minimum 75`);
  check(!resolved.auxLogits || resolved.imageSize >= AUX_HEAD_MIN_IMAGE_SIZE, `config.aux_logits needs image_size ≥ ${AUX_HEAD_MIN_IMAGE_SIZE}, got ${resolved.imageSize}`);
  check(resolved.depthMultiplier > 0, `config.depth_multiplier must be > 0, got ${resolved.depthMultiplier}`);
  check(resolved.batchSize <= 4096, `config.batch_size ${resolved.batchSize} is above the limit 4096`);
  for (const field of ['batchNormDecay', 'movingAverageDecay'] as const) {
    check(resolved[field] > 0 && resolved[field] < 1, `config.${field} must be in (0, 1), got ${resolved[field]}`);
  }
  check(resolved.labelSmoothing >= 0 && resolved.labelSmoothing < 1, `config.label_smoothing must be in [0, 1), got ${resolved.labelSmoothing}`);
  return resolved;
}

/** The hyper-parameters as "name" → text, for lineage records. */
export function describeHyperParameters(parameters: HyperParameters): Record<string, string> {
  return Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, String(value)]));
}

const ARCHITECTURE_FIELDS = ['imageSize', 'depthMultiplier', 'minDepth'] as const;

/**
 * Fills a fine-tune or evaluate job's architecture from its base version's lineage, where the
 * job leaves it unset, and rejects a job that asks for a different one.
 */
export function inheritArchitecture(config: TrainingConfig, base: Record<string, string>, reference: string): TrainingConfig {
  const inherited = { ...config };
  for (const field of ARCHITECTURE_FIELDS) {
    const baseValue = Number(base[field]);
    if (!Number.isFinite(baseValue) || baseValue <= 0) {
      throw new HyperParameterError(`${reference}: its lineage has no ${field}`);
    }
    if (inherited[field] && inherited[field] !== baseValue) {
      throw new HyperParameterError(`config.${field} ${inherited[field]} differs from ${reference}'s ${baseValue}`);
    }
    inherited[field] = baseValue;
  }
  if (inherited.auxLogits === undefined && base.auxLogits !== undefined) {
    inherited.auxLogits = base.auxLogits === 'true';
  }
  return inherited;
}
