/** Container formats that the normaliser accepts, identified by their leading bytes. */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'bmp' | 'webp' | 'tiff';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Sizes of the BMP info headers in use: BITMAPCOREHEADER (12), BITMAPINFOHEADER (40), the
 * Adobe variants with bit masks (52, 56), OS/2 BITMAPCOREHEADER2 (64), V4 (108) and V5 (124).
 * "BM" alone is too weak a signature, so the info header size must be one of these.
 */
const BMP_INFO_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) {
    return false;
  }
  return signature.every((value, index) => bytes[offset + index] === value);
}

function startsWithAscii(bytes: Uint8Array, text: string, offset = 0): boolean {
  return startsWith(bytes, Array.from(text, (character) => character.charCodeAt(0)), offset);
}

function isBmp(bytes: Uint8Array): boolean {
  if (!startsWithAscii(bytes, 'BM') || bytes.length < 18) {
    return false;
  }
  const infoHeaderSize = bytes[14] | (bytes[15] << 8) | (bytes[16] << 16) | (bytes[17] << 24);
  return BMP_INFO_HEADER_SIZES.has(infoHeaderSize);
}

/**
 * Identifies the image format from the magic bytes at the start of `bytes`, or returns null.
 *
 * The file name is never consulted, because a `.JPEG` file may contain a PNG (one ImageNet file
 * does) and upper-case `.PNG` names are common.
 */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | null {
  // JPEG: SOI (FF D8) followed by the first marker's FF.
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) {
    return 'jpeg';
  }
  if (startsWith(bytes, PNG_SIGNATURE)) {
    return 'png';
  }
  if (startsWithAscii(bytes, 'GIF87a') || startsWithAscii(bytes, 'GIF89a')) {
    return 'gif';
  }
  if (startsWithAscii(bytes, 'RIFF') && startsWithAscii(bytes, 'WEBP', 8)) {
    return 'webp';
  }
  // TIFF byte-order mark then the magic number 42, or 43 for BigTIFF.
  if (
    startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return 'tiff';
  }
  if (isBmp(bytes)) {
    return 'bmp';
  }
  return null;
}

/**
 * Reports whether the bytes end with the format's end marker: JPEG EOI (FF D9), the PNG IEND
 * chunk or the GIF trailer (3B). Returns null for formats without one. Used to tell a truncated
 * file from a damaged one after a decode fails.
 */
export function hasEndMarker(bytes: Uint8Array, format: ImageFormat): boolean | null {
  const length = bytes.length;
  switch (format) {
    case 'jpeg':
      return length >= 2 && bytes[length - 2] === 0xff && bytes[length - 1] === 0xd9;
    case 'png':
      // Zero length, "IEND", then the chunk's fixed CRC AE 42 60 82.
      return startsWith(bytes, [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82], length - 12);
    case 'gif':
      return length >= 1 && bytes[length - 1] === 0x3b;
    default:
      return null;
  }
}
