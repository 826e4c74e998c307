import { describe, expect, it } from 'vitest';

import { decodeBmp, readBmpHeader } from './bmp.js';
import { ImageRejectedError } from './errors.js';
import { encodeBmp } from './testing/bmp-writer.js';

// A 3×2 image with red, green and blue in the top row and white, black and grey below.
const RGBA_3X2 = new Uint8Array([
  255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255,
  255, 255, 255, 255, 0, 0, 0, 255, 128, 128, 128, 255,
]);
const RGB_3X2 = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128];

function rejectionOf(action: () => unknown): ImageRejectedError {
  try {
    action();
  } catch (error) {
    if (error instanceof ImageRejectedError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected an ImageRejectedError');
}

describe('decodeBmp', () => {
  it('decodes 24-bit bottom-up rows with padding', () => {
    const decoded = decodeBmp(encodeBmp({ width: 3, height: 2, bitsPerPixel: 24, pixels: RGBA_3X2 }));

    expect(decoded.width).toBe(3);
    expect(decoded.height).toBe(2);
    expect(decoded.channels).toBe(3);
    expect(Array.from(decoded.data)).toEqual(RGB_3X2);
  });

  it('decodes 24-bit top-down rows', () => {
    const decoded = decodeBmp(encodeBmp({ width: 3, height: 2, bitsPerPixel: 24, pixels: RGBA_3X2, topDown: true }));

    expect(Array.from(decoded.data)).toEqual(RGB_3X2);
  });

  it('decodes 32-bit without alpha mask as RGB', () => {
    const decoded = decodeBmp(encodeBmp({ width: 3, height: 2, bitsPerPixel: 32, pixels: RGBA_3X2 }));

    expect(decoded.channels).toBe(3);
    expect(Array.from(decoded.data)).toEqual(RGB_3X2);
  });

  it('keeps alpha from a V4 alpha mask', () => {
    const pixels = RGBA_3X2.slice();
    pixels[3] = 0;
    pixels[7] = 128;
    const decoded = decodeBmp(encodeBmp({ width: 3, height: 2, bitsPerPixel: 32, pixels, withAlphaMask: true }));

    expect(decoded.channels).toBe(4);
    expect(Array.from(decoded.data.subarray(0, 8))).toEqual([255, 0, 0, 0, 0, 255, 0, 128]);
  });

  it('drops an alpha mask whose values are all zero', () => {
    const pixels = RGBA_3X2.map((value, index) => (index % 4 === 3 ? 0 : value));
    const decoded = decodeBmp(encodeBmp({ width: 3, height: 2, bitsPerPixel: 32, pixels, withAlphaMask: true }));

    expect(decoded.channels).toBe(3);
    expect(Array.from(decoded.data)).toEqual(RGB_3X2);
  });

  it('decodes 16-bit 5-5-5 pixels', () => {
    const decoded = decodeBmp(encodeBmp({ width: 3, height: 2, bitsPerPixel: 16, pixels: RGBA_3X2 }));

    // 128 keeps its top 5 bits (16 of 31), which scale back to 132.
    expect(Array.from(decoded.data)).toEqual([...RGB_3X2.slice(0, 15), 132, 132, 132]);
  });

  it.each([1, 4, 8] as const)('decodes %i-bit palette indices', (bitsPerPixel) => {
    const palette: Array<[number, number, number]> = [
      [10, 20, 30],
      [200, 100, 50],
    ];
    const indices = new Uint8Array([0, 1, 1, 0, 0, 1, 1, 0, 1]);
    const decoded = decodeBmp(encodeBmp({ width: 9, height: 1, bitsPerPixel, pixels: indices, palette }));

    const expected = Array.from(indices).flatMap((index) => palette[index]);
    expect(Array.from(decoded.data)).toEqual(expected);
  });

  it('rejects a palette index beyond the palette', () => {
    const bytes = encodeBmp({ width: 2, height: 1, bitsPerPixel: 8, pixels: new Uint8Array([0, 5]), palette: [[0, 0, 0]] });

    expect(rejectionOf(() => decodeBmp(bytes)).reason).toBe('corrupt');
  });

  it('rejects RLE8 compression as unsupported', () => {
    const bytes = encodeBmp({ width: 2, height: 1, bitsPerPixel: 8, pixels: new Uint8Array(2), palette: [[0, 0, 0]], compression: 1 });
    const rejection = rejectionOf(() => readBmpHeader(bytes));

    expect(rejection.reason).toBe('unsupported');
    expect(rejection.message).toContain('RLE8');
  });

  it('rejects missing pixel rows as truncated', () => {
    const bytes = encodeBmp({ width: 3, height: 2, bitsPerPixel: 24, pixels: RGBA_3X2 });
    const rejection = rejectionOf(() => decodeBmp(bytes.subarray(0, bytes.length - 5)));

    expect(rejection.reason).toBe('truncated');
  });
});
