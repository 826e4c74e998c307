/** Smallest input for which every VALID reduction keeps at least 1 pixel (75 → 35×35 stage 7 → 3 → 1). */
export const MIN_IMAGE_SIZE = 75;

/** Smallest input whose 17×17-stage map (5 pixels at 107) still fits the aux head's 5×5 stride-3 pool. */
export const MIN_IMAGE_SIZE_WITH_AUX_LOGITS = 107;

/** Options of `buildInceptionV3`. Every optional field defaults to the research/inception value. */
export interface InceptionV3Options {
  /**
   * Number of logits: the dataset's N classes plus 1, because logit 0 is the background
   * class that no label uses (Flowers: 6, ImageNet: 1001).
   */
  numClasses: number;
  /** Height and width of the square input in pixels. Default 299, at least 75, or 107 with the aux head. */
  imageSize?: number;
  /** Factor on every convolution depth, aux head included, but not on the logits. Default 1, must be > 0. */
  depthMultiplier?: number;
  /** Smallest depth a convolution gets after the multiplier is applied. Default 16. */
  minDepth?: number;
  /** Whether to build the aux head on mixed_17x17x768e, a second model output used in training. Default true. */
  auxLogits?: boolean;
  /** Probability of keeping an activation in the dropout before the logits, in training only. Default 0.8. */
  dropoutKeepProb?: number;
  /** Added to the variance inside the square root of batch normalization. Default 0.001. */
  batchNormEpsilon?: number;
  /** Decay of the batch-norm moving mean and variance per training step. Default 0.9997. */
  batchNormDecay?: number;
  /** Factor of the L2 loss sum(w²)/2 on every convolution and fully connected weights tensor. Default 0.00004. */
  weightDecay?: number;
  /**
   * Build from stock tfjs layers only, for export: batch normalization gets a gamma that stays 1
   * and pooling uses tfjs's own average pooling, so `tf.loadLayersModel` needs none of this
   * project's classes. Such a model is for inference, not training. Default false.
   */
  stockLayers?: boolean;
}

/** Options of `buildInceptionV3` with every default filled in. */
export type InceptionV3Config = Readonly<Required<InceptionV3Options>>;

export const DEFAULT_INCEPTION_V3_OPTIONS: Readonly<Omit<Required<InceptionV3Options>, 'numClasses'>> =
  Object.freeze({
    imageSize: 299,
    depthMultiplier: 1,
    minDepth: 16,
    auxLogits: true,
    dropoutKeepProb: 0.8,
    batchNormEpsilon: 0.001,
    batchNormDecay: 0.9997,
    weightDecay: 0.00004,
    stockLayers: false,
  });

/**
 * Fills in defaults and validates every field.
 * Throws a RangeError that names the field and its value when one is invalid.
 */
export function resolveInceptionV3Config(options: InceptionV3Options): InceptionV3Config {
  const config: Required<InceptionV3Options> = { ...DEFAULT_INCEPTION_V3_OPTIONS, ...definedFields(options) };

  requireInteger('numClasses', config.numClasses, 2);
  requireInteger('imageSize', config.imageSize, MIN_IMAGE_SIZE);
  if (config.auxLogits && config.imageSize < MIN_IMAGE_SIZE_WITH_AUX_LOGITS) {
    throw new RangeError(
      `imageSize ${config.imageSize} is below the minimum ${MIN_IMAGE_SIZE_WITH_AUX_LOGITS} ` +
        'for the aux head. Set auxLogits to false or use a larger image',
    );
  }
  if (!(Number.isFinite(config.depthMultiplier) && config.depthMultiplier > 0)) {
    throw new RangeError(`depthMultiplier ${config.depthMultiplier} is invalid. It must be a number above 0`);
  }
  requireInteger('minDepth', config.minDepth, 1);
  if (!(config.dropoutKeepProb > 0 && config.dropoutKeepProb <= 1)) {
    throw new RangeError(`dropoutKeepProb ${config.dropoutKeepProb} is invalid. It must be in (0, 1]`);
  }
  if (!(Number.isFinite(config.batchNormEpsilon) && config.batchNormEpsilon > 0)) {
    throw new RangeError(`batchNormEpsilon ${config.batchNormEpsilon} is invalid. It must be a number above 0`);
  }
  if (!(config.batchNormDecay >= 0 && config.batchNormDecay < 1)) {
    throw new RangeError(`batchNormDecay ${config.batchNormDecay} is invalid. It must be in [0, 1)`);
  }
  if (!(Number.isFinite(config.weightDecay) && config.weightDecay >= 0)) {
    throw new RangeError(`weightDecay ${config.weightDecay} is invalid. It must be a number of at least 0`);
  }

  return Object.freeze(config);
}

/** Depth of a convolution declared with `depth` channels: max(floor(depth · depthMultiplier), minDepth). */
export function scaledDepth(depth: number, config: Pick<InceptionV3Config, 'depthMultiplier' | 'minDepth'>): number {
  return Math.max(Math.floor(depth * config.depthMultiplier), config.minDepth);
}

function requireInteger(field: string, value: number, minimum: number): void {
  if (!Number.isInteger(value)) {
    throw new RangeError(`${field} ${value} is invalid. It must be an integer`);
  }
  if (value < minimum) {
    throw new RangeError(`${field} ${value} is below the minimum ${minimum}`);
  }
}

// Lets `{ imageSize: undefined }` keep the default instead of overwriting it.
function definedFields(options: InceptionV3Options): InceptionV3Options {
  const entries = Object.entries(options).filter(([, value]) => value !== undefined);
  return Object.fromEntries(entries) as unknown as InceptionV3Options;
}
