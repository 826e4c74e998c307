import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { detectImageFormat, hasEndMarker, type ImageFormat } from './image-format.js';
import { encodeBmp } from './testing/bmp-writer.js';

async function encodeWithSharp(format: Exclude<ImageFormat, 'bmp'>): Promise<Buffer> {
  return sharp({ create: { width: 4, height: 3, channels: 3, background: '#336699' } })
    .toFormat(format)
    .toBuffer();
}

describe('detectImageFormat', () => {
  it.each(['jpeg', 'png', 'gif', 'webp', 'tiff'] as const)('detects %s written by sharp', async (format) => {
    expect(detectImageFormat(await encodeWithSharp(format))).toBe(format);
  });

  it('detects a BMP', () => {
    const bytes = encodeBmp({ width: 1, height: 1, bitsPerPixel: 24, pixels: new Uint8Array(4) });

    expect(detectImageFormat(bytes)).toBe('bmp');
  });

  it('detects big-endian TIFF and BigTIFF', () => {
    expect(detectImageFormat(new Uint8Array([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]))).toBe('tiff');
    expect(detectImageFormat(new Uint8Array([0x49, 0x49, 0x2b, 0x00, 8, 0, 0, 0]))).toBe('tiff');
  });

  it('returns null for text and empty input', () => {
    expect(detectImageFormat(new TextEncoder().encode('not an image, just text'))).toBeNull();
    expect(detectImageFormat(new Uint8Array(0))).toBeNull();
  });

  it('returns null for text starting with BM', () => {
    expect(detectImageFormat(new TextEncoder().encode('BMW service manual, chapter 1'))).toBeNull();
  });

  it('returns null for a RIFF file that is not WebP', () => {
    expect(detectImageFormat(new TextEncoder().encode('RIFF\u0000\u0000\u0000\u0000WAVEfmt '))).toBeNull();
  });
});

describe('hasEndMarker', () => {
  it.each(['jpeg', 'png', 'gif'] as const)('finds the %s end marker and misses it after truncation', async (format) => {
    const bytes = await encodeWithSharp(format);

    expect(hasEndMarker(bytes, format)).toBe(true);
    expect(hasEndMarker(bytes.subarray(0, bytes.length - 1), format)).toBe(false);
  });

  it('returns null for formats without an end marker', async () => {
    expect(hasEndMarker(await encodeWithSharp('webp'), 'webp')).toBeNull();
  });
});
