import { ImageRejectedError } from './errors.js';

// sharp's prebuilt libvips (0.35) has no BMP loader, so BMP files are decoded here.

/** BMP compression field values (biCompression). */
const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const COMPRESSION_NAMES: Record<number, string> = { 1: 'RLE8', 2: 'RLE4', 4: 'JPEG', 5: 'PNG' };

const FILE_HEADER_BYTES = 14;
const CORE_HEADER_BYTES = 12;
const OS2_HEADER_BYTES = 64;

/** Fields of a BMP header that decoding and probing need. */
export interface BmpHeader {
  width: number;
  height: number;
  /** Rows are stored bottom-up unless the header's height is negative. */
  isTopDown: boolean;
  bitsPerPixel: number;
  compression: number;
  pixelDataOffset: number;
  rowStrideBytes: number;
  /** Palette entries as [r, g, b] for 1, 4 and 8 bits per pixel, empty otherwise. */
  palette: Array<[number, number, number]>;
  /** Channel masks for 16 and 32 bits per pixel. An alpha mask of 0 means no alpha. */
  masks: { red: number; green: number; blue: number; alpha: number };
  hasAlpha: boolean;
}

/** Raw pixels in top-down row order, interleaved RGB or RGBA. */
export interface BmpPixels {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

function corrupt(detail: string): ImageRejectedError {
  return new ImageRejectedError('corrupt', `BMP ${detail}`);
}

function defaultMasks(bitsPerPixel: number): BmpHeader['masks'] {
  if (bitsPerPixel === 16) {
    return { red: 0x7c00, green: 0x03e0, blue: 0x001f, alpha: 0 };
  }
  return { red: 0xff0000, green: 0xff00, blue: 0xff, alpha: 0 };
}

function readMasks(view: DataView, offset: number, withAlpha: boolean): BmpHeader['masks'] {
  return {
    red: view.getUint32(offset, true),
    green: view.getUint32(offset + 4, true),
    blue: view.getUint32(offset + 8, true),
    alpha: withAlpha ? view.getUint32(offset + 12, true) : 0,
  };
}

/**
 * Parses the BMP file and info headers without touching pixel data. Supports uncompressed 1, 4,
 * 8, 16, 24 and 32 bits per pixel and bit-field masks. Throws {@link ImageRejectedError} with
 * `unsupported` for RLE, embedded JPEG or PNG and OS/2 compression, and `truncated` or `corrupt`
 * for short or inconsistent headers.
 */
export function readBmpHeader(bytes: Uint8Array): BmpHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < FILE_HEADER_BYTES + 4) {
    throw new ImageRejectedError('truncated', `BMP file of ${bytes.length} bytes ends inside its header`);
  }
  const pixelDataOffset = view.getUint32(10, true);
  const infoHeaderBytes = view.getUint32(14, true);
  if (bytes.length < FILE_HEADER_BYTES + infoHeaderBytes) {
    throw new ImageRejectedError('truncated', `BMP file of ${bytes.length} bytes ends inside its ${infoHeaderBytes}-byte info header`);
  }

  const base = FILE_HEADER_BYTES;
  let width: number;
  let signedHeight: number;
  let bitsPerPixel: number;
  let compression = BI_RGB;
  let paletteEntryBytes = 4;
  let paletteSize = 0;
  if (infoHeaderBytes === CORE_HEADER_BYTES) {
    width = view.getUint16(base + 4, true);
    signedHeight = view.getUint16(base + 6, true);
    bitsPerPixel = view.getUint16(base + 10, true);
    paletteEntryBytes = 3;
  } else {
    width = view.getInt32(base + 4, true);
    signedHeight = view.getInt32(base + 8, true);
    bitsPerPixel = view.getUint16(base + 14, true);
    compression = view.getUint32(base + 16, true);
    paletteSize = view.getUint32(base + 32, true);
  }

  if (infoHeaderBytes === OS2_HEADER_BYTES && compression !== BI_RGB) {
    throw new ImageRejectedError('unsupported', `BMP with OS/2 compression ${compression} is not supported. Convert it to uncompressed BMP or PNG`);
  }
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    const name = COMPRESSION_NAMES[compression] ?? `type ${compression}`;
    throw new ImageRejectedError('unsupported', `BMP with ${name} compression is not supported. Convert it to uncompressed BMP or PNG`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) {
    throw corrupt(`has ${bitsPerPixel} bits per pixel, but only 1, 4, 8, 16, 24 and 32 are valid`);
  }
  if (compression !== BI_RGB && bitsPerPixel !== 16 && bitsPerPixel !== 32) {
    throw corrupt(`uses bit-field masks with ${bitsPerPixel} bits per pixel, but masks need 16 or 32`);
  }
  const height = Math.abs(signedHeight);
  if (width <= 0 || height === 0) {
    throw corrupt(`has invalid dimensions ${width}×${signedHeight}`);
  }

  // Masks sit inside V2+ headers (52 bytes and longer) or right after a 40-byte header.
  let masks = defaultMasks(bitsPerPixel);
  let paletteOffset = base + infoHeaderBytes;
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    if (infoHeaderBytes >= 52) {
      masks = readMasks(view, base + 40, infoHeaderBytes >= 56);
    } else {
      const withAlpha = compression === BI_ALPHABITFIELDS;
      const maskBytes = withAlpha ? 16 : 12;
      if (bytes.length < paletteOffset + maskBytes) {
        throw new ImageRejectedError('truncated', 'BMP file ends inside its bit-field masks');
      }
      masks = readMasks(view, paletteOffset, withAlpha);
      paletteOffset += maskBytes;
    }
    if (masks.red === 0 && masks.green === 0 && masks.blue === 0) {
      throw corrupt('has bit-field masks that are all zero');
    }
  }

  const palette: Array<[number, number, number]> = [];
  if (bitsPerPixel <= 8) {
    const entries = paletteSize === 0 ? 1 << bitsPerPixel : Math.min(paletteSize, 1 << bitsPerPixel);
    if (bytes.length < paletteOffset + entries * paletteEntryBytes) {
      throw new ImageRejectedError('truncated', `BMP file ends inside its ${entries}-entry palette`);
    }
    for (let index = 0; index < entries; index += 1) {
      const offset = paletteOffset + index * paletteEntryBytes;
      palette.push([bytes[offset + 2], bytes[offset + 1], bytes[offset]]);
    }
  }

  return {
    width,
    height,
    isTopDown: signedHeight < 0,
    bitsPerPixel,
    compression,
    pixelDataOffset,
    rowStrideBytes: Math.floor((bitsPerPixel * width + 31) / 32) * 4,
    palette,
    masks,
    hasAlpha: masks.alpha !== 0,
  };
}

function maskShift(mask: number): number {
  let shift = 0;
  while (shift < 32 && ((mask >>> shift) & 1) === 0) {
    shift += 1;
  }
  return shift;
}

/** Scales the masked bits of `pixel` to 0–255. */
function makeChannelReader(mask: number): (pixel: number) => number {
  if (mask === 0) {
    return () => 0;
  }
  const shift = maskShift(mask);
  const maxValue = mask >>> shift;
  return (pixel) => Math.round((((pixel & mask) >>> shift) * 255) / maxValue);
}

/**
 * Decodes an uncompressed BMP into top-down RGB, or RGBA when the header has an alpha mask.
 * An alpha channel that is 0 in every pixel is dropped, because many writers leave it unset.
 */
export function decodeBmp(bytes: Uint8Array): BmpPixels {
  const header = readBmpHeader(bytes);
  const { width, height, bitsPerPixel, rowStrideBytes, palette } = header;
  const endOffset = header.pixelDataOffset + rowStrideBytes * height;
  if (bytes.length < endOffset) {
    throw new ImageRejectedError(
      'truncated',
      `BMP pixel data needs ${endOffset} bytes but the file has ${bytes.length}`,
    );
  }

  const channels = header.hasAlpha ? 4 : 3;
  const data = new Uint8Array(width * height * channels);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const readRed = makeChannelReader(header.masks.red);
  const readGreen = makeChannelReader(header.masks.green);
  const readBlue = makeChannelReader(header.masks.blue);
  const readAlpha = makeChannelReader(header.masks.alpha);
  let anyAlpha = false;

  for (let row = 0; row < height; row += 1) {
    const storedRow = header.isTopDown ? row : height - 1 - row;
    const rowOffset = header.pixelDataOffset + storedRow * rowStrideBytes;
    for (let column = 0; column < width; column += 1) {
      const target = (row * width + column) * channels;
      if (bitsPerPixel <= 8) {
        const bitOffset = column * bitsPerPixel;
        const byte = bytes[rowOffset + (bitOffset >> 3)];
        const index = (byte >> (8 - bitsPerPixel - (bitOffset & 7))) & ((1 << bitsPerPixel) - 1);
        if (index >= palette.length) {
          throw corrupt(`pixel (${column}, ${row}) uses palette index ${index} but the palette has ${palette.length} entries`);
        }
        data.set(palette[index], target);
      } else if (bitsPerPixel === 24) {
        const offset = rowOffset + column * 3;
        data[target] = bytes[offset + 2];
        data[target + 1] = bytes[offset + 1];
        data[target + 2] = bytes[offset];
      } else {
        const offset = rowOffset + column * (bitsPerPixel / 8);
        const pixel = bitsPerPixel === 16 ? view.getUint16(offset, true) : view.getUint32(offset, true);
        data[target] = readRed(pixel);
        data[target + 1] = readGreen(pixel);
        data[target + 2] = readBlue(pixel);
        if (channels === 4) {
          data[target + 3] = readAlpha(pixel);
          anyAlpha ||= data[target + 3] !== 0;
        }
      }
    }
  }

  if (channels === 4 && !anyAlpha) {
    const rgb = new Uint8Array(width * height * 3);
    for (let pixel = 0; pixel < width * height; pixel += 1) {
      rgb.set(data.subarray(pixel * 4, pixel * 4 + 3), pixel * 3);
    }
    return { width, height, channels: 3, data: rgb };
  }
  return { width, height, channels, data };
}
