import { readFile } from 'node:fs/promises';

import { fixturePath } from '@inception/testing';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { preprocessForEval } from './preprocess-eval.js';
import { preprocessForTraining, preprocessForTrainingWithDetails } from './preprocess-training.js';
import { flipHorizontal, RESIZE_METHODS, scaleToSignedUnitRange } from './resize.js';
import { createSeededRandom } from './testing/seeded-random.js';

const DAISY = 'tfjs-examples/daisy-pexels-image05.jpg';

function expectSignedUnitRange(pixels: Float32Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (const value of pixels) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  expect(min).toBeGreaterThanOrEqual(-1);
  expect(max).toBeLessThanOrEqual(1);
}

/** Builds a lossless PNG of `width` × `height` filled by `colorAt(column, row)`. */
async function buildPng(width: number, height: number, colorAt: (column: number, row: number) => number[]): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let row = 0; row < height; row += 1) {
    for (let column = 0; column < width; column += 1) {
      raw.set(colorAt(column, row), (row * width + column) * 3);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe('scaleToSignedUnitRange', () => {
  it('maps 0, 0.5 and 1 to −1, 0 and 1', () => {
    expect(Array.from(scaleToSignedUnitRange(new Float32Array([0, 0.5, 1])))).toEqual([-1, 0, 1]);
  });
});

describe('flipHorizontal', () => {
  it('mirrors each row', () => {
    const pixels = new Float32Array([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6]);
    flipHorizontal(pixels, 3, 2);

    expect(Array.from(pixels)).toEqual([3, 3, 3, 2, 2, 2, 1, 1, 1, 6, 6, 6, 5, 5, 5, 4, 4, 4]);
  });
});

describe('preprocessForEval', () => {
  it('returns imageSize² × 3 values in [−1, 1]', async () => {
    const pixels = await preprocessForEval(await readFile(fixturePath(DAISY)), 299);

    expect(pixels).toBeInstanceOf(Float32Array);
    expect(pixels.length).toBe(299 * 299 * 3);
    expectSignedUnitRange(pixels);
  });

  it('scales a solid colour as (x / 255 − 0.5) · 2', async () => {
    const png = await buildPng(40, 30, () => [255, 0, 102]);
    const pixels = await preprocessForEval(png, 8);

    for (let index = 0; index < pixels.length; index += 3) {
      expect(pixels[index]).toBeCloseTo(1, 5);
      expect(pixels[index + 1]).toBeCloseTo(-1, 5);
      expect(pixels[index + 2]).toBeCloseTo((102 / 255 - 0.5) * 2, 5);
    }
  });

  it('removes floor(side / 16) pixels from each edge', async () => {
    // A 10-pixel red frame around a green 140×140 centre: the central crop of 160 removes 10.
    const png = await buildPng(160, 160, (column, row) =>
      Math.min(column, row, 159 - column, 159 - row) < 10 ? [255, 0, 0] : [0, 255, 0],
    );
    const pixels = await preprocessForEval(png, 32);

    for (let index = 0; index < pixels.length; index += 3) {
      expect(pixels[index]).toBeCloseTo(-1, 5);
      expect(pixels[index + 1]).toBeCloseTo(1, 5);
    }
  });

  it('rejects a non-integer imageSize', async () => {
    await expect(preprocessForEval(new Uint8Array(4), 2.5)).rejects.toThrow(/imageSize/);
  });
});

describe('preprocessForTraining', () => {
  it('returns imageSize² × 3 values in [−1, 1]', async () => {
    const jpeg = await readFile(fixturePath(DAISY));
    const random = createSeededRandom(21);
    for (let trial = 0; trial < 8; trial += 1) {
      const pixels = await preprocessForTraining(jpeg, 299, random);

      expect(pixels.length).toBe(299 * 299 * 3);
      expectSignedUnitRange(pixels);
    }
  });

  it('repeats its output for the same random sequence', async () => {
    const jpeg = await readFile(fixturePath(DAISY));
    const first = await preprocessForTraining(jpeg, 64, createSeededRandom(5));
    const second = await preprocessForTraining(jpeg, 64, createSeededRandom(5));
    const other = await preprocessForTraining(jpeg, 64, createSeededRandom(6));

    expect(Array.from(second)).toEqual(Array.from(first));
    expect(Array.from(other)).not.toEqual(Array.from(first));
  });

  it('ties resize method and colour ordering to the thread id', async () => {
    const jpeg = await readFile(fixturePath(DAISY));
    for (let threadId = 0; threadId < 8; threadId += 1) {
      const { distortion } = await preprocessForTrainingWithDetails(jpeg, 32, createSeededRandom(threadId + 1), { threadId });

      expect(distortion.threadId).toBe(threadId);
      expect(distortion.resizeMethod).toBe(RESIZE_METHODS[threadId % 4]);
      expect(distortion.colorOrdering).toBe(threadId % 2);
    }
  });

  it('draws thread ids and crops inside the image', async () => {
    const jpeg = await readFile(fixturePath(DAISY));
    const random = createSeededRandom(31);
    const threadIds = new Set<number>();
    const flips = new Set<boolean>();
    for (let trial = 0; trial < 24; trial += 1) {
      const { distortion } = await preprocessForTrainingWithDetails(jpeg, 16, random);
      const { left, top, width, height } = distortion.cropBox;
      threadIds.add(distortion.threadId);
      flips.add(distortion.flipped);

      expect(left + width).toBeLessThanOrEqual(500);
      expect(top + height).toBeLessThanOrEqual(326);
      expect(width * height).toBeGreaterThanOrEqual(0.1 * 500 * 326 * (1 - 1e-6));
    }

    expect([...threadIds].sort()).toEqual([0, 1, 2, 3]);
    expect([...flips].sort()).toEqual([false, true]);
  });

  it('crops inside a given bounding box region', async () => {
    const jpeg = await readFile(fixturePath(DAISY));
    const box = { yMin: 0.25, xMin: 0.25, yMax: 0.75, xMax: 0.75 };
    const { distortion } = await preprocessForTrainingWithDetails(jpeg, 16, createSeededRandom(41), { boundingBoxes: [box] });
    const { left, top, width, height } = distortion.cropBox;
    const overlap = Math.max(0, Math.min(left + width, 375) - Math.max(left, 125)) * Math.max(0, Math.min(top + height, 244) - Math.max(top, 81));

    expect(overlap / (250 * 163)).toBeGreaterThanOrEqual(0.1);
  });
});
