import sharp, { type Metadata } from 'sharp';

import { readBmpHeader } from './bmp.js';
import { ImageRejectedError, rejectionFromSharpError } from './errors.js';
import { detectImageFormat, type ImageFormat } from './image-format.js';
import { readJpegHeader } from './jpeg-header.js';

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

  if (format === 'jpeg') {
    const fromHeader = probeJpegHeader(bytes);
    if (fromHeader) return fromHeader;
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

/** libvips' interpretation of an 8-bit JPEG by its number of components. */
const JPEG_COLOR_SPACES: Record<number, string> = { 1: 'b-w', 3: 'srgb', 4: 'cmyk' };
/** Baseline, extended sequential and progressive Huffman JPEG: what libjpeg decodes. */
const COMMON_FRAME_MARKERS = new Set([0xc0, 0xc1, 0xc2]);

/**
 * Probes a common JPEG from its frame header, as libvips would but in about a tenth of the time,
 * which matters at import where every image is probed. Returns undefined for anything unusual
 * (12-bit samples, lossless or arithmetic coding, 2 components, no frame header), which
 * libvips then reads. The full decode that follows confirms every fact read here.
 */
function probeJpegHeader(bytes: Uint8Array): ImageProbe | undefined {
  const { frame, exifOrientation } = readJpegHeader(bytes);
  if (!frame || frame.precision !== 8 || !COMMON_FRAME_MARKERS.has(frame.marker) || frame.width === 0 || frame.height === 0) {
    return undefined;
  }
  const colorSpace = JPEG_COLOR_SPACES[frame.components];
  if (colorSpace === undefined) {
    return undefined;
  }

  const probe: ImageProbe = {
    format: 'jpeg',
    width: frame.width,
    height: frame.height,
    channels: frame.components,
    colorSpace,
    hasAlpha: false,
    isProgressive: frame.marker === 0xc2,
  };
  if (exifOrientation !== undefined) {
    probe.exifOrientation = exifOrientation;
  }
  return probe;
}

function describeLeadingBytes(bytes: Uint8Array): string {
  const hex = Array.from(bytes.subarray(0, 8), (value) => value.toString(16).padStart(2, '0')).join(' ');
  return `leading bytes ${hex}`;
}
