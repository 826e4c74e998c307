import { existsSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { DEBIAN_PACKAGE, DEFAULT_SOURCE_DIR } from './fashion-mnist-spec.js';
import { parseIdx, readIdxFile } from './idx.js';

function idxBytes(typeByte: number, dimensions: number[], body: number[]): Uint8Array {
  const header = [0, 0, typeByte, dimensions.length];
  for (const size of dimensions) {
    header.push((size >>> 24) & 0xff, (size >>> 16) & 0xff, (size >>> 8) & 0xff, size & 0xff);
  }
  return new Uint8Array([...header, ...body]);
}

describe('parseIdx', () => {
  it('parses a uint8 matrix', () => {
    const parsed = parseIdx(idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 255]));

    expect(parsed.dataType).toBe('uint8');
    expect(parsed.dimensions).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 255]);
  });

  it('reads big-endian int16 and float32', () => {
    expect(Array.from(parseIdx(idxBytes(0x0b, [2], [0x01, 0x02, 0xff, 0xfe])).data)).toEqual([258, -2]);
    expect(Array.from(parseIdx(idxBytes(0x0d, [1], [0x3f, 0xc0, 0x00, 0x00])).data)).toEqual([1.5]);
  });

  it('rejects a bad magic number', () => {
    expect(() => parseIdx(new Uint8Array([1, 0, 8, 1]), 'bad.idx')).toThrow(/bad\.idx: invalid IDX magic/);
  });

  it('rejects an unknown element type', () => {
    expect(() => parseIdx(idxBytes(0x07, [1], [0]))).toThrow(/unknown IDX element type 0x7/);
  });

  it('rejects a length that does not match the shape', () => {
    expect(() => parseIdx(idxBytes(0x08, [2, 2], [1, 2, 3]), 'short.idx')).toThrow(/needs 16 bytes but the file has 15/);
  });
});

const sourcesInstalled = existsSync(path.join(DEFAULT_SOURCE_DIR, 'train-labels-idx1-ubyte.gz'));
if (!sourcesInstalled) {
  console.warn(`Skipping Fashion-MNIST IDX tests: ${DEFAULT_SOURCE_DIR} is missing. Install the Debian package ${DEBIAN_PACKAGE}.`);
}

describe.skipIf(!sourcesInstalled)('readIdxFile on Fashion-MNIST', () => {
  it.each([
    ['train', 60_000],
    ['t10k', 10_000],
  ])('reads %s images and labels', async (prefix, imageCount) => {
    const images = await readIdxFile(path.join(DEFAULT_SOURCE_DIR, `${prefix}-images-idx3-ubyte.gz`));
    const labels = await readIdxFile(path.join(DEFAULT_SOURCE_DIR, `${prefix}-labels-idx1-ubyte.gz`));

    expect(images.dataType).toBe('uint8');
    expect(images.dimensions).toEqual([imageCount, 28, 28]);
    expect(images.data.length).toBe(imageCount * 28 * 28);
    expect(labels.dataType).toBe('uint8');
    expect(labels.dimensions).toEqual([imageCount]);

    // Fashion-MNIST is balanced: every class has a tenth of the images.
    const perClass = new Array<number>(10).fill(0);
    for (const label of labels.data) {
      perClass[label] += 1;
    }
    expect(perClass).toEqual(new Array<number>(10).fill(imageCount / 10));
  });

  it('starts the training labels with an ankle boot', async () => {
    const labels = await readIdxFile(path.join(DEFAULT_SOURCE_DIR, 'train-labels-idx1-ubyte.gz'));

    expect(Array.from(labels.data.subarray(0, 5))).toEqual([9, 0, 0, 3, 0]);
  });
});
