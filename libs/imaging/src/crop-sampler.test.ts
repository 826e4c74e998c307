import { describe, expect, it } from 'vitest';

import { sampleDistortedBoundingBox, type DistortedBoundingBox, type NormalizedBox } from './crop-sampler.js';
import { createSeededRandom } from './testing/seeded-random.js';

const WIDTH = 500;
const HEIGHT = 375;
const DRAWS = 20_000;

function drawMany(boxes: NormalizedBox[], seed: number, width = WIDTH, height = HEIGHT): DistortedBoundingBox[] {
  const random = createSeededRandom(seed);
  return Array.from({ length: DRAWS }, () => sampleDistortedBoundingBox(width, height, boxes, {}, random));
}

describe('sampleDistortedBoundingBox without boxes', () => {
  const crops = drawMany([], 1);
  const imageArea = WIDTH * HEIGHT;

  it('keeps every crop inside the image', () => {
    for (const crop of crops) {
      expect(crop.left).toBeGreaterThanOrEqual(0);
      expect(crop.top).toBeGreaterThanOrEqual(0);
      expect(crop.width).toBeGreaterThan(0);
      expect(crop.height).toBeGreaterThan(0);
      expect(crop.left + crop.width).toBeLessThanOrEqual(WIDTH);
      expect(crop.top + crop.height).toBeLessThanOrEqual(HEIGHT);
    }
  });

  it('keeps aspect ratios within [0.75, 1.33] up to rounding', () => {
    const ratios = crops.filter((crop) => !crop.isFallback).map((crop) => crop.width / crop.height);
    for (const crop of crops.filter((candidate) => !candidate.isFallback)) {
      const ratio = crop.width / crop.height;
      // The width is the rounded product height × ratio, so it can be off by half a pixel.
      expect(ratio).toBeGreaterThanOrEqual(0.75 - 0.5 / crop.height);
      expect(ratio).toBeLessThanOrEqual(1.33 + 0.5 / crop.height);
    }

    expect(Math.min(...ratios)).toBeLessThan(0.77);
    expect(Math.max(...ratios)).toBeGreaterThan(1.31);
  });

  it('never returns crops under 10 % of the image', () => {
    const areaFractions = crops.map((crop) => (crop.width * crop.height) / imageArea);

    for (const fraction of areaFractions) {
      expect(fraction).toBeGreaterThanOrEqual(0.1 * (1 - 1e-6));
      expect(fraction).toBeLessThanOrEqual(1);
    }
    expect(Math.min(...areaFractions)).toBeLessThan(0.11);
    expect(Math.max(...areaFractions)).toBeGreaterThan(0.9);
  });

  it('never touches the bottom or right edge with a smaller crop', () => {
    for (const crop of crops) {
      if (crop.width < WIDTH) {
        expect(crop.left + crop.width).toBeLessThan(WIDTH);
      } else {
        expect(crop.left).toBe(0);
      }
      if (crop.height < HEIGHT) {
        expect(crop.top + crop.height).toBeLessThan(HEIGHT);
      } else {
        expect(crop.top).toBe(0);
      }
    }
  });

  it('draws heights uniformly, not areas', () => {
    // At ratio 1 the accepted heights run uniformly from 137 (10 % of the area) to 375 pixels, so
    // the median crop covers about (256² / 187,500) = 35 % of the image. A uniform area over
    // [0.1, 1] would put the median at 55 %.
    const areaFractions = crops
      .filter((crop) => !crop.isFallback)
      .map((crop) => (crop.width * crop.height) / imageArea)
      .sort((a, b) => a - b);
    const median = areaFractions[Math.floor(areaFractions.length / 2)];

    expect(median).toBeGreaterThan(0.3);
    expect(median).toBeLessThan(0.42);
  });

  it('falls back to the whole image rarely', () => {
    const fallbacks = crops.filter((crop) => crop.isFallback);

    expect(fallbacks.length).toBeLessThan(DRAWS * 0.001);
    for (const crop of fallbacks) {
      expect(crop).toEqual({ left: 0, top: 0, width: WIDTH, height: HEIGHT, isFallback: true });
    }
  });

  it('repeats its output for the same random sequence', () => {
    expect(drawMany([], 1).slice(0, 100)).toEqual(crops.slice(0, 100));
    expect(drawMany([], 2).slice(0, 100)).not.toEqual(crops.slice(0, 100));
  });
});

describe('sampleDistortedBoundingBox with boxes', () => {
  it('covers 10 % of a small box', () => {
    const box = { yMin: 0.4, xMin: 0.4, yMax: 0.6, xMax: 0.6 };
    const boxRect = { left: 200, top: 150, right: 300, bottom: 225 };
    const crops = drawMany([box], 3).filter((crop) => !crop.isFallback);

    for (const crop of crops) {
      const overlapWidth = Math.min(crop.left + crop.width, boxRect.right) - Math.max(crop.left, boxRect.left);
      const overlapHeight = Math.min(crop.top + crop.height, boxRect.bottom) - Math.max(crop.top, boxRect.top);
      const coverage = (Math.max(0, overlapWidth) * Math.max(0, overlapHeight)) / (100 * 75);

      expect(coverage).toBeGreaterThanOrEqual(0.1 * (1 - 1e-6));
      expect(crop.width * crop.height).toBeGreaterThanOrEqual(0.05 * WIDTH * HEIGHT * (1 - 1e-6));
    }
    const smallest = Math.min(...crops.map((crop) => (crop.width * crop.height) / (WIDTH * HEIGHT)));
    expect(smallest).toBeLessThan(0.06);
  });

  it('falls back when no crop can cover the box', () => {
    const random = createSeededRandom(4);
    const wholeImage = [{ yMin: 0, xMin: 0, yMax: 1, xMax: 1 }];
    const crop = sampleDistortedBoundingBox(WIDTH, HEIGHT, wholeImage, { minObjectCovered: 1, areaRange: [0.05, 0.5] }, random);

    expect(crop).toEqual({ left: 0, top: 0, width: WIDTH, height: HEIGHT, isFallback: true });
  });

  it('ignores boxes with zero pixel area', () => {
    const random = createSeededRandom(5);
    const degenerate = [{ yMin: 0.5, xMin: 0.5, yMax: 0.5, xMax: 0.5 }];
    const crop = sampleDistortedBoundingBox(WIDTH, HEIGHT, degenerate, {}, random);

    expect(crop.isFallback).toBe(true);
  });

  it('returns the only crop of a 1×1 image', () => {
    const crop = sampleDistortedBoundingBox(1, 1, [], {}, createSeededRandom(6));

    expect(crop).toMatchObject({ left: 0, top: 0, width: 1, height: 1 });
  });

  it('rejects invalid boxes and options', () => {
    const random = createSeededRandom(7);

    expect(() => sampleDistortedBoundingBox(10, 10, [{ yMin: 0, xMin: 0, yMax: 1.5, xMax: 1 }], {}, random)).toThrow(/box 0/);
    expect(() => sampleDistortedBoundingBox(10, 10, [{ yMin: 0.6, xMin: 0, yMax: 0.4, xMax: 1 }], {}, random)).toThrow(RangeError);
    expect(() => sampleDistortedBoundingBox(10, 10, [], { useImageIfNoBoundingBoxes: false }, random)).toThrow(RangeError);
    expect(() => sampleDistortedBoundingBox(10, 10, [], { areaRange: [0.5, 0.1] }, random)).toThrow(/areaRange/);
    expect(() => sampleDistortedBoundingBox(10, 10, [], { maxAttempts: 0 }, random)).toThrow(/maxAttempts/);
  });
});
