import sharp, { type Metadata } from 'sharp';

import { readBmpHeader } from './bmp.js';
import { ImageRejectedError, rejectionFromSharpError } from './errors.js';
import { detectImageFormat, type ImageFormat } from './image-format.js';

/** Header facts about an image, read without decoding its pixels. */
export interface ImageProbe {
  format: ImageFormat;
  /** Stored width in pixels, before any EXIF orientation. */
  width: number;
  /** Stored height in pixels, before any EXIF orientation. */
  height: number;
  /** Bands in the stored image: 1 grey, 2 grey + alpha, 3 RGB or YCbCr, 4 RGBA or CMYK. */
  channels: number;
  /** libvips interpretation name, e.g. `srgb`, `b-w`, `cmyk`, `rgb16`, `grey16`. */
  colorSpace: string;
  hasAlpha: boolean;
  /** True for progressive JPEG and interlaced PNG. */
  isProgressive: boolean;
  /** EXIF Orientation tag (1–8) when present. Nothing in this library applies it. */
  exifOrientation?: number;
}

/**
 * Reads format, dimensions and colour layout from the header of an encoded image.
 * Throws {@link ImageRejectedError} for empty input, unknown formats and unreadable headers.
 */
export async function probeImage(bytes: Uint8Array): Promise<ImageProbe> {
  if (bytes.length === 0) {
    throw new ImageRejectedError('empty', 'input has 0 bytes');
  }
  const format = detectImageFormat(bytes);
  if (format === null) {
    throw new ImageRejectedError('not-an-image', `${describeLeadingBytes(bytes)} match none of JPEG, PNG, GIF, BMP, WebP or TIFF`);
  }

  if (format === 'bmp') {
    const header = readBmpHeader(bytes);
    return {
      format,
      width: header.width,
      height: header.height,
      channels: header.hasAlpha ? 4 : 3,
      colorSpace: 'srgb',
      hasAlpha: header.hasAlpha,
      isProgressive: false,
    };
  }

  let metadata: Metadata;
  try {
    // sharp(emptyBuffer) throws synchronously, so construction stays inside the try as well.
    // Only the header is parsed here, so sharp's pixel limit is lifted to report the real size.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw rejectionFromSharpError(error, bytes, format);
  }
  if (metadata.format !== format) {
    // Magic bytes and libvips disagree, e.g. TIFF magic on a file libtiff cannot parse.
    throw new ImageRejectedError('corrupt', `bytes start like ${format.toUpperCase()} but libvips read them as ${metadata.format}`);
  }

  const probe: ImageProbe = {
    format,
    width: metadata.width,
    height: metadata.pageHeight ?? metadata.height,
    channels: metadata.channels,
    colorSpace: metadata.space,
    hasAlpha: metadata.hasAlpha,
    isProgressive: metadata.isProgressive,
  };
  if (metadata.orientation !== undefined) {
    probe.exifOrientation = metadata.orientation;
  }
  return probe;
}

function describeLeadingBytes(bytes: Uint8Array): string {
  const hex = Array.from(bytes.subarray(0, 8), (value) => value.toString(16).padStart(2, '0')).join(' ');
  return `leading bytes ${hex}`;
}
