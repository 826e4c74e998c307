import { distortColor, type ColorDistortion, type ColorOrdering } from './color.js';
import type { CropBox } from './crop-box.js';
import { sampleDistortedBoundingBox, type NormalizedBox } from './crop-sampler.js';
import { assertOutputSize, decodeCropResize, flipHorizontal, RESIZE_METHODS, scaleToSignedUnitRange, type ResizeMethod } from './resize.js';

/** Inception's preprocessing builds 4 parallel copies per tower, numbered by thread id. */
export const PREPROCESS_THREAD_COUNT = 4;

export interface TrainingPreprocessOptions {
  /**
   * Object boxes of the record (`image/object/bbox/*`). Default none, so the whole image is the
   * box and crops cover at least 10 % of it.
   */
  boundingBoxes?: readonly NormalizedBox[];
  /**
   * Virtual preprocessing thread id, a non-negative integer that selects the resize method
   * (id % 4) and the colour ordering (id % 2). Default: drawn uniformly from `random`, which replaces TensorFlow's
   * nondeterministic interleaving of its threads' output.
   */
  threadId?: number;
}

/** The random choices made for one training image. */
export interface TrainingDistortion {
  threadId: number;
  resizeMethod: ResizeMethod;
  colorOrdering: ColorOrdering;
  cropBox: CropBox;
  flipped: boolean;
  color: ColorDistortion;
}

function chooseThreadId(options: TrainingPreprocessOptions, random: () => number): number {
  if (options.threadId === undefined) {
    return Math.min(PREPROCESS_THREAD_COUNT - 1, Math.floor(random() * PREPROCESS_THREAD_COUNT));
  }
  if (!Number.isSafeInteger(options.threadId) || options.threadId < 0) {
    throw new RangeError(`preprocessForTraining: threadId must be a non-negative integer, got ${options.threadId}`);
  }
  return options.threadId;
}

/**
 * Prepares a JPEG for training as Inception's distort_image and distort_color do, and returns
 * the pixels with the choices made. The steps are a random crop from
 * {@link sampleDistortedBoundingBox} (coverage 0.1, aspect ratio [0.75, 1.33], area [0.05, 1],
 * 100 attempts), a resize to `imageSize` × `imageSize` with the thread's method, a horizontal
 * flip with probability 0.5, {@link distortColor} in the thread's ordering, then scaling to
 * [−1, 1]. `random` must return uniform values in [0, 1). It is drawn in that order, after the
 * thread id when none is given.
 */
export async function preprocessForTrainingWithDetails(
  jpegBytes: Uint8Array,
  imageSize: number,
  random: () => number,
  options: TrainingPreprocessOptions = {},
): Promise<{ pixels: Float32Array; distortion: TrainingDistortion }> {
  assertOutputSize('preprocessForTraining', imageSize);
  const threadId = chooseThreadId(options, random);
  const resizeMethod = RESIZE_METHODS[threadId % 4];
  const colorOrdering: ColorOrdering = threadId % 2 === 0 ? 0 : 1;

  const image = await decodeCropResize(jpegBytes, imageSize, resizeMethod, (width, height) => {
    const { left, top, width: cropWidth, height: cropHeight } = sampleDistortedBoundingBox(
      width,
      height,
      options.boundingBoxes ?? [],
      {},
      random,
    );
    return { left, top, width: cropWidth, height: cropHeight };
  });

  const flipped = random() < 0.5;
  if (flipped) {
    flipHorizontal(image.pixels, image.width, image.height);
  }
  const color = distortColor(image.pixels, colorOrdering, random);
  scaleToSignedUnitRange(image.pixels);

  return {
    pixels: image.pixels,
    distortion: { threadId, resizeMethod, colorOrdering, cropBox: image.cropBox, flipped, color },
  };
}

/**
 * Prepares a JPEG for training (see {@link preprocessForTrainingWithDetails}) and returns
 * interleaved RGB floats in HWC order, imageSize × imageSize × 3 values in [−1, 1].
 */
export async function preprocessForTraining(
  jpegBytes: Uint8Array,
  imageSize: number,
  random: () => number,
  options: TrainingPreprocessOptions = {},
): Promise<Float32Array> {
  const { pixels } = await preprocessForTrainingWithDetails(jpegBytes, imageSize, random, options);
  return pixels;
}
