export { detectImageFormat, type ImageFormat } from './image-format.js';
export { ImageRejectedError, type ImageRejectReason } from './errors.js';
export { probeImage, type ImageProbe } from './probe.js';
export {
  normalizeImage,
  DEFAULT_MAX_PIXELS,
  type ConversionReason,
  type NormalizedImage,
  type NormalizeOptions,
  type NormalizeResult,
  type RejectedImage,
} from './normalize.js';
export { CONVERTED_JPEG_QUALITY, cmykToRgb } from './convert.js';
export { centralCropBox, type CropBox } from './crop-box.js';
export {
  sampleDistortedBoundingBox,
  type DistortedBoundingBox,
  type DistortedBoundingBoxOptions,
  type NormalizedBox,
} from './crop-sampler.js';
export {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  clipToUnitRange,
  distortColor,
  type ColorDistortion,
  type ColorOrdering,
} from './color.js';
export {
  RESIZE_METHODS,
  SHARP_KERNEL_FOR_METHOD,
  flipHorizontal,
  scaleToSignedUnitRange,
  type ResizeMethod,
} from './resize.js';
export { preprocessForEval } from './preprocess-eval.js';
export {
  preprocessForTraining,
  preprocessForTrainingWithDetails,
  PREPROCESS_THREAD_COUNT,
  type TrainingDistortion,
  type TrainingPreprocessOptions,
} from './preprocess-training.js';
