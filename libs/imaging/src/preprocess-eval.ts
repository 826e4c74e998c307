import { centralCropBox } from './crop-box.js';
import { assertOutputSize, decodeCropResize, scaleToSignedUnitRange } from './resize.js';

/**
 * Prepares a JPEG for evaluation as Inception's eval_image does: central crop keeping 87.5 % of
 * each side, bilinear resize to `imageSize` × `imageSize` (see SHARP_KERNEL_FOR_METHOD for how
 * sharp's kernel differs from TensorFlow's) and scaling to [−1, 1].
 * Returns interleaved RGB floats in HWC order, imageSize × imageSize × 3 values.
 */
export async function preprocessForEval(jpegBytes: Uint8Array, imageSize: number): Promise<Float32Array> {
  assertOutputSize('preprocessForEval', imageSize);

  const image = await decodeCropResize(jpegBytes, imageSize, 'bilinear', centralCropBox);
  return scaleToSignedUnitRange(image.pixels);
}
