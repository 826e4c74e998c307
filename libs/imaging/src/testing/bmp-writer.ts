/** Options of {@link encodeBmp}, a BMP writer for tests; sharp cannot write BMP. */
export interface BmpWriteOptions {
  width: number;
  height: number;
  bitsPerPixel: 1 | 4 | 8 | 16 | 24 | 32;
  /** Top-down RGBA bytes for 16, 24 and 32 bits per pixel, palette indices for 1, 4 and 8. */
  pixels: Uint8Array;
  /** RGB palette entries for 1, 4 and 8 bits per pixel. */
  palette?: Array<[number, number, number]>;
  /** Stores rows top-down with a negative height. Default false (bottom-up). */
  topDown?: boolean;
  /** Writes a BITMAPV4HEADER with BI_BITFIELDS masks, alpha in the top byte, for 32 bits. */
  withAlphaMask?: boolean;
  /** Overrides the compression field, to build unsupported files. */
  compression?: number;
}

/** Encodes an uncompressed BMP with a 40-byte BITMAPINFOHEADER, or a 108-byte V4 header. */
export function encodeBmp(options: BmpWriteOptions): Uint8Array {
  const { width, height, bitsPerPixel, pixels } = options;
  const palette = options.palette ?? [];
  const infoHeaderBytes = options.withAlphaMask ? 108 : 40;
  const paletteBytes = palette.length * 4;
  const rowStrideBytes = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  const pixelDataOffset = 14 + infoHeaderBytes + paletteBytes;
  const fileBytes = pixelDataOffset + rowStrideBytes * height;
  const bytes = new Uint8Array(fileBytes);
  const view = new DataView(bytes.buffer);

  bytes.set([0x42, 0x4d], 0);
  view.setUint32(2, fileBytes, true);
  view.setUint32(10, pixelDataOffset, true);
  view.setUint32(14, infoHeaderBytes, true);
  view.setInt32(18, width, true);
  view.setInt32(22, options.topDown ? -height : height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bitsPerPixel, true);
  view.setUint32(30, options.compression ?? (options.withAlphaMask ? 3 : 0), true);
  view.setUint32(34, rowStrideBytes * height, true);
  view.setUint32(46, palette.length, true);
  if (options.withAlphaMask) {
    view.setUint32(54, 0x00ff0000, true);
    view.setUint32(58, 0x0000ff00, true);
    view.setUint32(62, 0x000000ff, true);
    view.setUint32(66, 0xff000000, true);
  }
  palette.forEach(([red, green, blue], index) => {
    bytes.set([blue, green, red, 0], 14 + infoHeaderBytes + index * 4);
  });

  for (let row = 0; row < height; row += 1) {
    const storedRow = options.topDown ? row : height - 1 - row;
    const rowOffset = pixelDataOffset + storedRow * rowStrideBytes;
    for (let column = 0; column < width; column += 1) {
      const pixel = row * width + column;
      if (bitsPerPixel <= 8) {
        const bitOffset = column * bitsPerPixel;
        const shift = 8 - bitsPerPixel - (bitOffset & 7);
        bytes[rowOffset + (bitOffset >> 3)] |= pixels[pixel] << shift;
        continue;
      }
      const [red, green, blue, alpha] = pixels.subarray(pixel * 4, pixel * 4 + 4);
      if (bitsPerPixel === 16) {
        view.setUint16(rowOffset + column * 2, ((red >> 3) << 10) | ((green >> 3) << 5) | (blue >> 3), true);
      } else if (bitsPerPixel === 24) {
        bytes.set([blue, green, red], rowOffset + column * 3);
      } else {
        bytes.set([blue, green, red, options.withAlphaMask ? alpha : 0], rowOffset + column * 4);
      }
    }
  }
  return bytes;
}
