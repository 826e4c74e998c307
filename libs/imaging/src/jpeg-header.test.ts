import { readFile } from 'node:fs/promises';
import { fixturePath, readExpected } from '@inception/testing';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { jpegExifOrientation, readJpegHeader } from './jpeg-header.js';
import { withExifOrientation } from './testing/exif.js';

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

describe('readJpegHeader', () => {
  it.each(['tensorflow/jpeg/small.jpg', 'tensorflow/jpeg/jpeg_merge_test1_cmyk.jpg', 'tensorflow/jpeg/grace_hopper.jpg'])('reads the frame of %s', async (fixture) => {
    const expected = readExpected<{ width: number; height: number; components: number; progressive: boolean }>(fixture);

    const { frame } = readJpegHeader(await readFile(fixturePath(fixture)));

    expect(frame).toMatchObject({ width: expected.width, height: expected.height, components: expected.components, precision: 8 });
    expect(frame!.marker === 0xc2).toBe(expected.progressive);
  });

  it('finds no frame when a segment before it is cut', async () => {
    const bytes = await readFile(fixturePath('tensorflow/jpeg/small.jpg'));

    expect(readJpegHeader(bytes.subarray(0, 200)).frame).toBeUndefined();
  });
});
