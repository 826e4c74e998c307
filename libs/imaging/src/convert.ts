import sharp, { type JpegOptions, type SharpOptions } from 'sharp';

import { decodeBmp } from './bmp.js';
import { isGenericFailOnError, rejectionFromSharpError } from './errors.js';
import type { ImageProbe } from './probe.js';

/**
 * JPEG quality of converted images. TensorFlow's build_image_data.py re-encodes PNG and CMYK
 * input at quality 100.
 */
export const CONVERTED_JPEG_QUALITY = 100;

/** A converted image: an RGB JPEG and its size in pixels. */
export interface RgbJpeg {
  jpegBytes: Uint8Array;
  width: number;
  height: number;
}

// sharp 0.35 already skips chroma subsampling above quality 90. Stating it keeps the output
// fixed if that default changes.
const JPEG_OUTPUT: JpegOptions = { quality: CONVERTED_JPEG_QUALITY, chromaSubsampling: '4:4:4' };
const WHITE = { r: 255, g: 255, b: 255 };

async function encodeRawRgb(data: Uint8Array, width: number, height: number, channels: 3 | 4): Promise<RgbJpeg> {
  const { data: jpegBytes, info } = await sharp(data, { raw: { width, height, channels } })
    .flatten({ background: WHITE })
    .jpeg(JPEG_OUTPUT)
    .toBuffer({ resolveWithObject: true });
  return { jpegBytes, width: info.width, height: info.height };
}

/**
 * Converts CMYK pixels (0 = no ink) to RGB with R = (255 − C)(255 − K)/255 and likewise for G
 * and B, ignoring any ICC profile, because TensorFlow's JPEG decoder converts CMYK the same way.
 * On TensorFlow's CMYK test image this lands within a mean of 4 levels of its RGB twin, while
 * sharp 0.35's ICC transform lands about 40 levels away. A fifth band is taken as alpha and
 * flattened onto white.
 */
export function cmykToRgb(cmyk: Uint8Array, pixelCount: number, channels: 4 | 5): Uint8Array {
  const rgb = new Uint8Array(pixelCount * 3);
  for (let pixel = 0; pixel < pixelCount; pixel += 1) {
    const source = pixel * channels;
    const inkFreeBlack = 255 - cmyk[source + 3];
    const alpha = channels === 5 ? cmyk[source + 4] / 255 : 1;
    for (let band = 0; band < 3; band += 1) {
      const value = ((255 - cmyk[source + band]) * inkFreeBlack) / 255;
      rgb[pixel * 3 + band] = Math.round(value * alpha + 255 * (1 - alpha));
    }
  }
  return rgb;
}

/**
 * Decodes `bytes` completely and re-encodes them as a 3-channel sRGB JPEG at quality 100.
 * Alpha is flattened onto white, 16-bit samples are reduced to 8 bits and EXIF orientation is
 * not applied (the output has no EXIF). Decoding fails on any libjpeg or libpng warning.
 * Throws {@link ImageRejectedError} when the data cannot be decoded.
 */
export async function convertToRgbJpeg(bytes: Uint8Array, probe: ImageProbe, maxPixels: number): Promise<RgbJpeg> {
  if (probe.format === 'bmp') {
    const bmp = decodeBmp(bytes);
    return encodeRawRgb(bmp.data, bmp.width, bmp.height, bmp.channels);
  }

  const input: SharpOptions = { failOn: 'warning', limitInputPixels: maxPixels };
  try {
    if (probe.colorSpace === 'cmyk') {
      const { data, info } = await sharp(bytes, input)
        .pipelineColourspace('cmyk')
        .toColourspace('cmyk')
        .raw()
        .toBuffer({ resolveWithObject: true });
      const rgb = cmykToRgb(data, info.width * info.height, (info.channels as number) === 5 ? 5 : 4);
      return await encodeRawRgb(rgb, info.width, info.height, 3);
    }

    const { data: jpegBytes, info } = await sharp(bytes, input)
      .flatten({ background: WHITE })
      .toColourspace('srgb')
      .jpeg(JPEG_OUTPUT)
      .toBuffer({ resolveWithObject: true });
    return { jpegBytes, width: info.width, height: info.height };
  } catch (error) {
    throw rejectionFromSharpError(await withLibvipsText(error, () => sharp(bytes, input).raw().toBuffer()), bytes, probe.format);
  }
}

/**
 * Decodes every pixel of `bytes` and discards them, so damaged compressed data is found before
 * the original bytes are kept. Throws {@link ImageRejectedError} on any decoder warning.
 */
export async function verifyDecodes(bytes: Uint8Array, probe: ImageProbe, maxPixels: number): Promise<void> {
  const decode = () => sharp(bytes, { failOn: 'warning', limitInputPixels: maxPixels }).raw().toBuffer();
  try {
    await decode();
  } catch (error) {
    throw rejectionFromSharpError(await withLibvipsText(error, decode), bytes, probe.format);
  }
}

/**
 * Returns `error`, or when it is sharp's generic failOn error, the error of one more run of
 * `decode`, which nearly always carries libvips' own text (such as "Corrupt JPEG data: bad
 * Huffman code"). Corrupt files are rare, so the second decode costs little.
 */
async function withLibvipsText(error: unknown, decode: () => Promise<unknown>): Promise<unknown> {
  if (!isGenericFailOnError(error)) return error;
  try {
    await decode();
    return error;
  } catch (second) {
    return second;
  }
}
