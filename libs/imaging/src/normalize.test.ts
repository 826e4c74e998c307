import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';

import { fixturePath, makeTempDir, readExpected, repoRoot } from '@inception/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { normalizeImage, type NormalizedImage, type NormalizeResult, type RejectedImage } from './normalize.js';
import { withExifOrientation } from './testing/exif.js';
import { encodeBmp } from './testing/bmp-writer.js';

interface JpegExpected {
  size: number;
  width: number;
  height: number;
  progressive: boolean;
  components: number;
}

const SMALL_JPEG = 'tensorflow/jpeg/small.jpg';
const BASELINE_JPEGS = ['tensorflow/jpeg/small.jpg', 'tensorflow/jpeg/jpeg_merge_test1.jpg', 'tensorflow/jpeg/grace_hopper.jpg'];
const PROGRESSIVE_JPEG = 'tfjs-examples/daisy-pexels-image05.jpg';

let tempDir: { dir: string; remove: () => Promise<void> };

/** Writes `bytes` to the temp folder and reads them back, so each case is a real file. */
async function viaTempFile(name: string, bytes: Uint8Array): Promise<Buffer> {
  const filePath = path.join(tempDir.dir, name);
  await writeFile(filePath, bytes);
  return readFile(filePath);
}

function expectNormalized(result: NormalizeResult): NormalizedImage {
  if (!result.ok) {
    throw new Error(`expected a normalized image, got ${result.reason}: ${result.detail}`);
  }
  return result;
}

function expectRejected(result: NormalizeResult, reason: RejectedImage['reason']): RejectedImage {
  if (result.ok) {
    throw new Error(`expected rejection "${reason}", got a normalized ${result.width}×${result.height} image`);
  }
  expect(result.reason).toBe(reason);
  return result;
}

async function expectRgbJpeg(bytes: Uint8Array, width: number, height: number): Promise<void> {
  const metadata = await sharp(bytes).metadata();
  expect(metadata.format).toBe('jpeg');
  expect(metadata.channels).toBe(3);
  expect(metadata.space).toBe('srgb');
  expect(metadata.width).toBe(width);
  expect(metadata.height).toBe(height);
  expect(metadata.orientation).toBeUndefined();
}

async function meanAbsoluteError(a: Uint8Array, b: Uint8Array): Promise<number> {
  const first = await sharp(a).removeAlpha().toColourspace('srgb').raw().toBuffer();
  const second = await sharp(b).removeAlpha().toColourspace('srgb').raw().toBuffer();
  expect(first.length).toBe(second.length);
  let sum = 0;
  for (let index = 0; index < first.length; index += 1) {
    sum += Math.abs(first[index] - second[index]);
  }
  return sum / first.length;
}

/** Builds a PNG whose IHDR declares `width` × `height` RGB pixels, followed by one tiny IDAT and IEND. */
function pngWithDeclaredSize(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData));
    return Buffer.concat([length, typeAndData, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // Zlib header and an empty stored block: far too little data for the declared size.
  const idat = Buffer.from([0x78, 0x01, 0x01, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

beforeAll(async () => {
  tempDir = await makeTempDir('imaging-normalize-');
});

afterAll(async () => {
  await tempDir.remove();
});

describe('normalizeImage keeps 3-channel JPEGs', () => {
  it.each(BASELINE_JPEGS)('keeps baseline %s byte for byte', async (fixture) => {
    const bytes = await readFile(fixturePath(fixture));
    const expected = readExpected<JpegExpected>(fixture);
    const result = expectNormalized(await normalizeImage(bytes));

    expect(result.conversion).toBe('none');
    expect(result.conversionReason).toBeNull();
    expect(result.originalFormat).toBe('jpeg');
    expect(Buffer.compare(Buffer.from(result.jpegBytes), bytes)).toBe(0);
    expect(result.jpegBytes.length).toBe(expected.size);
    expect([result.width, result.height]).toEqual([expected.width, expected.height]);
  });

  it('keeps the progressive daisy byte for byte', async () => {
    const bytes = await readFile(fixturePath(PROGRESSIVE_JPEG));
    const expected = readExpected<JpegExpected>(PROGRESSIVE_JPEG);
    const result = expectNormalized(await normalizeImage(bytes));

    expect(expected.progressive).toBe(true);
    expect(result.conversion).toBe('none');
    expect(Buffer.compare(Buffer.from(result.jpegBytes), bytes)).toBe(0);
    expect([result.width, result.height]).toEqual([expected.width, expected.height]);
  });

  it('keeps a JPEG with EXIF orientation unrotated', async () => {
    const source = await readFile(fixturePath(SMALL_JPEG));
    const rotated = await viaTempFile('orientation-6.jpg', withExifOrientation(source, 6));
    const result = expectNormalized(await normalizeImage(rotated));

    expect((await sharp(rotated).metadata()).orientation).toBe(6);
    expect(result.conversion).toBe('none');
    expect(Buffer.compare(Buffer.from(result.jpegBytes), rotated)).toBe(0);
    expect([result.width, result.height]).toEqual([240, 180]);
  });
});

describe('normalizeImage converts to RGB JPEG', () => {
  it('converts the CMYK fixture to within MAE 4 of its RGB twin', async () => {
    const cmyk = await readFile(fixturePath('tensorflow/jpeg/jpeg_merge_test1_cmyk.jpg'));
    const rgb = await readFile(fixturePath('tensorflow/jpeg/jpeg_merge_test1.jpg'));
    const expected = readExpected<JpegExpected>('tensorflow/jpeg/jpeg_merge_test1_cmyk.jpg');
    const result = expectNormalized(await normalizeImage(cmyk));

    expect(expected.components).toBe(4);
    expect(result.conversion).toBe('to-rgb-jpeg');
    expect(result.conversionReason).toBe('cmyk-jpeg');
    await expectRgbJpeg(result.jpegBytes, expected.width, expected.height);
    expect(await meanAbsoluteError(result.jpegBytes, rgb)).toBeLessThan(4);
  });

  it.each(['png', 'webp', 'tiff'] as const)('converts lossless %s close to its pixels', async (format) => {
    const source = await readFile(fixturePath(SMALL_JPEG));
    const encoded = await sharp(source).toFormat(format, format === 'webp' ? { lossless: true } : {}).toBuffer();
    const bytes = await viaTempFile(`small.${format}`, encoded);
    const result = expectNormalized(await normalizeImage(bytes));

    expect(result.originalFormat).toBe(format);
    expect(result.conversionReason).toBe('not-jpeg');
    await expectRgbJpeg(result.jpegBytes, 240, 180);
    expect(await meanAbsoluteError(result.jpegBytes, bytes)).toBeLessThan(1.5);
  });

  it('converts a GIF', async () => {
    const source = await readFile(fixturePath(SMALL_JPEG));
    const bytes = await viaTempFile('small.gif', await sharp(source).gif().toBuffer());
    const result = expectNormalized(await normalizeImage(bytes));

    expect(result.originalFormat).toBe('gif');
    await expectRgbJpeg(result.jpegBytes, 240, 180);
    expect(await meanAbsoluteError(result.jpegBytes, bytes)).toBeLessThan(1.5);
  });

  it('converts a hand-built BMP', async () => {
    const source = await readFile(fixturePath(SMALL_JPEG));
    const rgba = await sharp(source).ensureAlpha().raw().toBuffer();
    const bmp = await viaTempFile('small.bmp', encodeBmp({ width: 240, height: 180, bitsPerPixel: 24, pixels: rgba }));
    const result = expectNormalized(await normalizeImage(bmp));

    expect(result.originalFormat).toBe('bmp');
    expect(result.conversionReason).toBe('not-jpeg');
    await expectRgbJpeg(result.jpegBytes, 240, 180);
    expect(await meanAbsoluteError(result.jpegBytes, source)).toBeLessThan(1.5);
  });

  it('ignores a misleading file name', async () => {
    const source = await readFile(fixturePath(SMALL_JPEG));
    const bytes = await viaTempFile('disguised.JPEG', await sharp(source).png().toBuffer());
    const result = expectNormalized(await normalizeImage(bytes));

    expect(result.originalFormat).toBe('png');
    expect(result.conversion).toBe('to-rgb-jpeg');
  });

  it('converts a grayscale JPEG to three channels without rotating it', async () => {
    const source = await readFile(fixturePath(SMALL_JPEG));
    const gray = await sharp(source).toColourspace('b-w').jpeg().toBuffer();
    const bytes = await viaTempFile('gray.jpg', withExifOrientation(gray, 6));
    const result = expectNormalized(await normalizeImage(bytes));
    const sourceMetadata = await sharp(bytes).metadata();

    expect(sourceMetadata.channels).toBe(1);
    expect(sourceMetadata.orientation).toBe(6);
    expect(result.conversionReason).toBe('grayscale-jpeg');
    await expectRgbJpeg(result.jpegBytes, 240, 180);
    expect(await meanAbsoluteError(result.jpegBytes, bytes)).toBeLessThan(1.5);
  });

  it('converts a grayscale Fashion-MNIST sample', async () => {
    const sample = await readFile(path.join(repoRoot, 'data/samples/fashion-mnist/train/ankle-boot/ankle-boot-00000.jpg'));
    const result = expectNormalized(await normalizeImage(sample));

    expect(result.conversionReason).toBe('grayscale-jpeg');
    await expectRgbJpeg(result.jpegBytes, 28, 28);
    expect(await meanAbsoluteError(result.jpegBytes, sample)).toBeLessThan(1.5);
  });

  it('flattens a transparent PNG onto white', async () => {
    const transparentLeftHalf = Buffer.alloc(8 * 4 * 4);
    for (let pixel = 0; pixel < 32; pixel += 1) {
      transparentLeftHalf.set([200, 0, 0, pixel % 8 < 4 ? 0 : 255], pixel * 4);
    }
    const png = await sharp(transparentLeftHalf, { raw: { width: 8, height: 4, channels: 4 } }).png().toBuffer();
    const result = expectNormalized(await normalizeImage(await viaTempFile('rgba.png', png)));
    const pixels = await sharp(result.jpegBytes).raw().toBuffer();

    await expectRgbJpeg(result.jpegBytes, 8, 4);
    expect(Array.from(pixels.subarray(0, 3)).every((value) => value >= 250)).toBe(true);
    expect(pixels[7 * 3]).toBeGreaterThan(180);
    expect(pixels[7 * 3 + 1]).toBeLessThan(20);
  });

  it('reduces a 16-bit PNG to 8-bit RGB', async () => {
    const source = await readFile(fixturePath(SMALL_JPEG));
    const png16 = await viaTempFile('rgb16.png', await sharp(source).toColourspace('rgb16').png().toBuffer());
    const result = expectNormalized(await normalizeImage(png16));

    await expectRgbJpeg(result.jpegBytes, 240, 180);
    expect(await meanAbsoluteError(result.jpegBytes, source)).toBeLessThan(1.5);
  });
});

describe('normalizeImage rejects bad input', () => {
  it('rejects corrupt.jpg whose libjpeg warning counts as corrupt', async () => {
    const result = await normalizeImage(await readFile(fixturePath('tensorflow/jpeg/corrupt.jpg')));
    const rejected = expectRejected(result, 'corrupt');

    expect(rejected.detail).toContain('bad Huffman code');
  });

  it('rejects a truncated JPEG', async () => {
    const whole = await readFile(fixturePath('tensorflow/jpeg/grace_hopper.jpg'));
    const bytes = await viaTempFile('truncated.jpg', whole.subarray(0, Math.floor(whole.length / 2)));

    expectRejected(await normalizeImage(bytes), 'truncated');
  });

  it('rejects a truncated PNG', async () => {
    const png = await sharp(await readFile(fixturePath(SMALL_JPEG))).png().toBuffer();
    const bytes = await viaTempFile('truncated.png', png.subarray(0, Math.floor(png.length / 2)));

    expectRejected(await normalizeImage(bytes), 'truncated');
  });

  it('rejects a zero-byte file', async () => {
    const bytes = await viaTempFile('empty.jpg', new Uint8Array(0));

    expectRejected(await normalizeImage(bytes), 'empty');
  });

  it('rejects a text file', async () => {
    const bytes = await viaTempFile('notes.jpg', new TextEncoder().encode('label,file\nroses,1.jpg\n'));
    const rejected = expectRejected(await normalizeImage(bytes), 'not-an-image');

    expect(rejected.detail).toContain('6c 61 62 65');
  });

  it('rejects damaged entropy-coded data as corrupt', async () => {
    const damaged = Buffer.from(await readFile(fixturePath(SMALL_JPEG)));
    for (let offset = 6000; offset < 14_000; offset += 7) {
      damaged[offset] ^= 0x55;
    }
    const rejected = expectRejected(await normalizeImage(await viaTempFile('damaged.jpg', damaged)), 'corrupt');

    expect(rejected.detail).toContain('Corrupt JPEG data');
  });

  it('rejects a huge declared PNG size before decoding', async () => {
    const bytes = await viaTempFile('bomb.png', pngWithDeclaredSize(100_000, 100_000));
    const rejected = expectRejected(await normalizeImage(bytes, { maxPixels: 50_000_000 }), 'too-many-pixels');

    expect(rejected.detail).toContain('100000×100000');
  });

  it('rejects a real image above maxPixels', async () => {
    const png = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#808080' } }).png().toBuffer();
    const bytes = await viaTempFile('large.png', png);

    expectRejected(await normalizeImage(bytes, { maxPixels: 1_000_000 }), 'too-many-pixels');
    expect(expectNormalized(await normalizeImage(bytes, { maxPixels: 1_200_000 })).width).toBe(1200);
  });

  it('rejects an RLE-compressed BMP as unsupported', async () => {
    const bmp = encodeBmp({ width: 2, height: 1, bitsPerPixel: 8, pixels: new Uint8Array(2), palette: [[0, 0, 0]], compression: 1 });

    expectRejected(await normalizeImage(bmp), 'unsupported');
  });

  it('throws RangeError for a non-positive maxPixels', async () => {
    await expect(normalizeImage(new Uint8Array(1), { maxPixels: 0 })).rejects.toThrow(RangeError);
  });
});
