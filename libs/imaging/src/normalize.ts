import { convertToRgbJpeg, verifyDecodes } from './convert.js';
import { ImageRejectedError, type ImageRejectReason } from './errors.js';
import type { ImageFormat } from './image-format.js';
import { probeImage, type ImageProbe } from './probe.js';

/** sharp's own default `limitInputPixels`: 0x3FFF × 0x3FFF pixels. */
export const DEFAULT_MAX_PIXELS = 0x3fff * 0x3fff;

export interface NormalizeOptions {
  /**
   * Maximum width × height in pixels. Larger images are rejected from their header, before any
   * pixel is decoded. Default {@link DEFAULT_MAX_PIXELS} (268,402,689).
   */
  maxPixels?: number;
}

/**
 * Why an image was re-encoded:
 * - `not-jpeg`: PNG, GIF, BMP, WebP or TIFF input (see `originalFormat`).
 * - `cmyk-jpeg`: a 4-channel CMYK or YCCK JPEG.
 * - `grayscale-jpeg`: a 1-channel JPEG.
 * - `other-jpeg-color-space`: any other JPEG layout that is not 3-channel sRGB/YCbCr.
 */
export type ConversionReason = 'not-jpeg' | 'cmyk-jpeg' | 'grayscale-jpeg' | 'other-jpeg-color-space';

export interface NormalizedImage {
  ok: true;
  /** The input itself when `conversion` is `none`, else a new RGB JPEG. */
  jpegBytes: Uint8Array;
  /** Width in pixels, as stored (EXIF orientation not applied). */
  width: number;
  /** Height in pixels, as stored (EXIF orientation not applied). */
  height: number;
  originalFormat: ImageFormat;
  conversion: 'none' | 'to-rgb-jpeg';
  /** Null when `conversion` is `none`. */
  conversionReason: ConversionReason | null;
  /** EXIF Orientation tag (1–8) of the input, when present; never applied. */
  exifOrientation?: number;
}

export interface RejectedImage {
  ok: false;
  reason: ImageRejectReason;
  /** What failed, with the values involved, e.g. `JPEG decoding failed: VipsJpeg: Corrupt JPEG data: …`. */
  detail: string;
}

export type NormalizeResult = NormalizedImage | RejectedImage;

function conversionReasonFor(probe: ImageProbe): ConversionReason | null {
  if (probe.format !== 'jpeg') {
    return 'not-jpeg';
  }
  if (probe.colorSpace === 'cmyk') {
    return 'cmyk-jpeg';
  }
  if (probe.channels === 1) {
    return 'grayscale-jpeg';
  }
  if (probe.channels !== 3 || probe.colorSpace !== 'srgb' || probe.hasAlpha) {
    return 'other-jpeg-color-space';
  }
  return null;
}

async function normalizeOrThrow(bytes: Uint8Array, maxPixels: number): Promise<NormalizedImage> {
  const probe = await probeImage(bytes);
  const pixelCount = probe.width * probe.height;
  if (pixelCount > maxPixels) {
    throw new ImageRejectedError(
      'too-many-pixels',
      `${probe.format.toUpperCase()} header declares ${probe.width}×${probe.height} = ${pixelCount} pixels, more than the limit of ${maxPixels}`,
    );
  }

  const conversionReason = conversionReasonFor(probe);
  const orientation = probe.exifOrientation === undefined ? {} : { exifOrientation: probe.exifOrientation };
  if (conversionReason === null) {
    await verifyDecodes(bytes, probe, maxPixels);
    return {
      ok: true,
      jpegBytes: bytes,
      width: probe.width,
      height: probe.height,
      originalFormat: probe.format,
      conversion: 'none',
      conversionReason: null,
      ...orientation,
    };
  }

  const converted = await convertToRgbJpeg(bytes, probe, maxPixels);
  return {
    ok: true,
    jpegBytes: converted.jpegBytes,
    width: converted.width,
    height: converted.height,
    originalFormat: probe.format,
    conversion: 'to-rgb-jpeg',
    conversionReason,
    ...orientation,
  };
}

/**
 * Turns encoded image bytes into a JPEG that TensorFlow's `decode_jpeg(channels=3)` reads as RGB.
 *
 * A 3-channel JPEG (baseline or progressive) is returned byte for byte, after a full decode
 * proves that its data is intact. Every other accepted input (PNG, GIF, BMP, WebP, TIFF, CMYK or
 * YCCK JPEG, grayscale, images with alpha) is re-encoded as an RGB JPEG at quality 100 with alpha
 * flattened onto white. GIF and TIFF contribute their first frame or page only. EXIF orientation is
 * never applied, as in TensorFlow's decoder.
 *
 * Bad input never throws: it yields `{ ok: false, reason, detail }`. A libjpeg warning such as
 * "Corrupt JPEG data: bad Huffman code" counts as corrupt data, although libjpeg itself would
 * return pixels. Throws RangeError only for an invalid `maxPixels`.
 */
export async function normalizeImage(bytes: Uint8Array, options: NormalizeOptions = {}): Promise<NormalizeResult> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!Number.isSafeInteger(maxPixels) || maxPixels <= 0) {
    throw new RangeError(`normalizeImage: maxPixels must be a positive integer, got ${maxPixels}`);
  }

  try {
    return await normalizeOrThrow(bytes, maxPixels);
  } catch (error) {
    if (error instanceof ImageRejectedError) {
      return { ok: false, reason: error.reason, detail: error.message };
    }
    throw error;
  }
}
