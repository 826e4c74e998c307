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
