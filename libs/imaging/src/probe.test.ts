import { readFile } from 'node:fs/promises';

import { fixturePath, readExpected } from '@inception/testing';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { ImageRejectedError } from './errors.js';
import { probeImage } from './probe.js';
import { encodeBmp } from './testing/bmp-writer.js';

interface JpegExpected {
  width: number;
  height: number;
  progressive: boolean;
  components: number;
}

describe('probeImage', () => {
  it.each([
    ['tensorflow/jpeg/small.jpg', 'srgb'],
    ['tensorflow/jpeg/jpeg_merge_test1_cmyk.jpg', 'cmyk'],
    ['tfjs-examples/daisy-pexels-image05.jpg', 'srgb'],
  ])('reads the header of %s', async (fixture, colorSpace) => {
    const expected = readExpected<JpegExpected>(fixture);
    const probe = await probeImage(await readFile(fixturePath(fixture)));

    expect(probe.format).toBe('jpeg');
    expect(probe.width).toBe(expected.width);
    expect(probe.height).toBe(expected.height);
    expect(probe.channels).toBe(expected.components);
    expect(probe.colorSpace).toBe(colorSpace);
    expect(probe.isProgressive).toBe(expected.progressive);
    expect(probe.hasAlpha).toBe(false);
    expect(probe.exifOrientation).toBeUndefined();
  });

  it('reports alpha and grayscale layouts', async () => {
    const rgba = await sharp({ create: { width: 5, height: 3, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const gray = await sharp(Buffer.alloc(15), { raw: { width: 5, height: 3, channels: 1 } }).toColourspace('b-w').jpeg().toBuffer();

    expect(await probeImage(rgba)).toMatchObject({ format: 'png', width: 5, height: 3, channels: 4, hasAlpha: true });
    expect(await probeImage(gray)).toMatchObject({ format: 'jpeg', channels: 1, colorSpace: 'b-w', hasAlpha: false });
  });

  it('reports the EXIF orientation without applying it', async () => {
    const source = await readFile(fixturePath('tensorflow/jpeg/small.jpg'));
    const rotated = await sharp(source).jpeg().withMetadata({ orientation: 6 }).toBuffer();

    expect(await probeImage(rotated)).toMatchObject({ width: 240, height: 180, exifOrientation: 6 });
  });

  it('reads JPEG headers as libvips does', async () => {
    const photo = await readFile(fixturePath('tfjs-examples/daisy-pexels-image05.jpg'));
    const variants = [
      photo,
      await readFile(fixturePath('tensorflow/jpeg/jpeg_merge_test1_cmyk.jpg')),
      await readFile(fixturePath('tensorflow/jpeg/grace_hopper.jpg')),
      await sharp(photo).jpeg({ progressive: true }).toBuffer(),
      await sharp(photo).toColourspace('b-w').jpeg({ progressive: true }).toBuffer(),
      await sharp(photo).jpeg().withMetadata({ orientation: 8 }).toBuffer(),
      await sharp(photo).resize(1, 1).jpeg().toBuffer(),
    ];

    for (const [index, bytes] of variants.entries()) {
      const metadata = await sharp(bytes).metadata();
      const probe = await probeImage(bytes);
      expect(probe, `variant ${index}`).toEqual({
        format: 'jpeg',
        width: metadata.width,
        height: metadata.height,
        channels: metadata.channels,
        colorSpace: metadata.space,
        hasAlpha: metadata.hasAlpha,
        isProgressive: metadata.isProgressive,
        ...(metadata.orientation === undefined ? {} : { exifOrientation: metadata.orientation }),
      });
    }
  });

  it('leaves a JPEG whose frame header is cut to libvips', async () => {
    const photo = await readFile(fixturePath('tensorflow/jpeg/small.jpg'));
    const cut = photo.subarray(0, 200);

    const error = await probeImage(cut).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ImageRejectedError);
  });

  it('reads a BMP header', async () => {
    const bmp = encodeBmp({ width: 7, height: 2, bitsPerPixel: 24, pixels: new Uint8Array(7 * 2 * 4) });

    expect(await probeImage(bmp)).toMatchObject({ format: 'bmp', width: 7, height: 2, channels: 3, colorSpace: 'srgb' });
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['not-an-image', new TextEncoder().encode('hello')],
    ['truncated', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3, 4])],
    ['corrupt', new Uint8Array([0x49, 0x49, 0x2a, 0x00, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8])],
  ])('throws ImageRejectedError with reason %s', async (reason, bytes) => {
    const rejection = await probeImage(bytes).catch((error: unknown) => error);

    expect(rejection).toBeInstanceOf(ImageRejectedError);
    expect((rejection as ImageRejectedError).reason).toBe(reason);
  });
});
