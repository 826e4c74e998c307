import sharp, { type KernelEnum } from 'sharp';

import { assertImageSize, type CropBox } from './crop-box.js';

/** TensorFlow's resize methods in the order of their ids, so `RESIZE_METHODS[threadId % 4]`. */
export const RESIZE_METHODS = ['bilinear', 'nearest', 'bicubic', 'area'] as const;
export type ResizeMethod = (typeof RESIZE_METHODS)[number];

/**
 * sharp kernel used for each TensorFlow resize method.
 *
 * NOTE: these are approximations. libvips (sharp 0.35) widens every kernel by the scale factor
 * when it shrinks, so its output is anti-aliased, while TensorFlow 1's bilinear, bicubic and
 * nearest sample the input at i · in/out with no filtering. When a crop is more than twice the
 * output size, sharp's result is therefore smoother than TensorFlow's. libvips has no box kernel
 * for `area`. Its widened Mitchell filter also averages over the covered pixels, and it keeps the
 * four methods distinct.
 */
export const SHARP_KERNEL_FOR_METHOD: Readonly<Record<ResizeMethod, KernelEnum[keyof KernelEnum]>> = {
  bilinear: 'linear',
  nearest: 'nearest',
  bicubic: 'cubic',
  area: 'mitchell',
};

/** Decoded RGB pixels scaled to [0, 1], interleaved HWC, and the crop they came from. */
export interface RgbFloatImage {
  pixels: Float32Array;
  width: number;
  height: number;
  /** Crop of the stored image that was resized. */
  cropBox: CropBox;
}

/** Throws RangeError unless `imageSize` is a positive integer. */
export function assertOutputSize(operation: string, imageSize: number): void {
  if (!Number.isSafeInteger(imageSize) || imageSize <= 0) {
    throw new RangeError(`${operation}: imageSize must be a positive integer, got ${imageSize}`);
  }
}

/**
 * Decodes `jpegBytes`, crops the box that `chooseBox` returns for the stored width and height,
 * and resizes the crop to `imageSize` × `imageSize` without keeping its aspect ratio.
 *
 * EXIF orientation is ignored, as in TensorFlow's decode_jpeg. Grayscale input is expanded to
 * three equal channels and alpha is dropped. CMYK input goes through sharp's ICC conversion, not
 * the naive one that normalizeImage uses, so normalise images first. Decoding tolerates libjpeg
 * warnings (failOn 'error'), as TensorFlow does. Rejects with sharp's error for undecodable data.
 */
export async function decodeCropResize(
  jpegBytes: Uint8Array,
  imageSize: number,
  method: ResizeMethod,
  chooseBox: (width: number, height: number) => CropBox,
): Promise<RgbFloatImage> {
  const image = sharp(jpegBytes, { failOn: 'error' });
  const { width, height } = await image.metadata();
  assertImageSize('decodeCropResize', width, height);
  const cropBox = chooseBox(width, height);

  const { data, info } = await image
    .extract(cropBox)
    .resize(imageSize, imageSize, { fit: 'fill', kernel: SHARP_KERNEL_FOR_METHOD[method], fastShrinkOnLoad: false })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || data.length !== imageSize * imageSize * 3) {
    throw new Error(`decodeCropResize: expected ${imageSize}×${imageSize}×3 bytes, sharp returned ${info.width}×${info.height}×${info.channels}`);
  }

  const pixels = new Float32Array(data.length);
  for (let index = 0; index < data.length; index += 1) {
    pixels[index] = data[index] / 255;
  }
  return { pixels, width: imageSize, height: imageSize, cropBox };
}

/** Maps [0, 1] to [−1, 1] in place with x ← (x − 0.5) · 2, Inception's only input scaling. */
export function scaleToSignedUnitRange(pixels: Float32Array): Float32Array {
  for (let index = 0; index < pixels.length; index += 1) {
    pixels[index] = (pixels[index] - 0.5) * 2;
  }
  return pixels;
}

/** Mirrors interleaved RGB pixels left to right in place. */
export function flipHorizontal(pixels: Float32Array, width: number, height: number): void {
  assertImageSize('flipHorizontal', width, height);
  if (pixels.length !== width * height * 3) {
    throw new RangeError(`flipHorizontal: ${pixels.length} values do not make a ${width}×${height} RGB image`);
  }
  for (let row = 0; row < height; row += 1) {
    const rowStart = row * width * 3;
    for (let left = 0, right = width - 1; left < right; left += 1, right -= 1) {
      for (let channel = 0; channel < 3; channel += 1) {
        const leftIndex = rowStart + left * 3 + channel;
        const rightIndex = rowStart + right * 3 + channel;
        const swap = pixels[leftIndex];
        pixels[leftIndex] = pixels[rightIndex];
        pixels[rightIndex] = swap;
      }
    }
  }
}
