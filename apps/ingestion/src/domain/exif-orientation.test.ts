import { readFile } from 'node:fs/promises';
import { fixturePath } from '@inception/testing';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { withExifOrientation } from '../testing/messy-dataset.js';
import { jpegExifOrientation } from './exif-orientation.js';

let daisy: Buffer;

beforeAll(async () => {
  daisy = await readFile(fixturePath('tfjs-examples/daisy-pexels-image05.jpg'));
});

describe('jpegExifOrientation', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('reads orientation %i like libvips', async (orientation) => {
    const bytes = withExifOrientation(daisy, orientation);
    expect(jpegExifOrientation(bytes)).toBe(orientation);
    expect((await sharp(bytes).metadata()).orientation).toBe(orientation);
  });

  it('reads little-endian EXIF written by libvips', async () => {
    const rotated = await sharp(daisy).withMetadata({ orientation: 3 }).jpeg().toBuffer();
    expect(jpegExifOrientation(rotated)).toBe((await sharp(rotated).metadata()).orientation);
  });

  it('returns undefined without EXIF', async () => {
    expect(jpegExifOrientation(daisy)).toBeUndefined();
    expect((await sharp(daisy).metadata()).orientation).toBeUndefined();
  });

  it('returns undefined for a cut segment', () => {
    const bytes = withExifOrientation(daisy, 6);
    expect(jpegExifOrientation(bytes.subarray(0, 20))).toBeUndefined();
  });

  it('returns undefined for other formats', async () => {
    const png = await sharp(daisy).png().toBuffer();
    expect(jpegExifOrientation(png)).toBeUndefined();
    expect(jpegExifOrientation(await readFile(fixturePath('tensorflow/jpeg/jpeg_merge_test1_cmyk.jpg')))).toBeUndefined();
  });
});
