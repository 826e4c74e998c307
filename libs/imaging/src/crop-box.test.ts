import { describe, expect, it } from 'vitest';

import { centralCropBox } from './crop-box.js';

describe('centralCropBox', () => {
  it.each([
    // width, height, left, top, kept width, kept height
    [299, 299, 18, 18, 263, 263],
    [500, 326, 31, 20, 438, 286],
    [240, 180, 15, 11, 210, 158],
    [16, 17, 1, 1, 14, 15],
    [15, 15, 0, 0, 15, 15],
    [1, 1, 0, 0, 1, 1],
    [4000, 3000, 250, 187, 3500, 2626],
  ])('crops %i×%i to offsets floor(side / 16)', (width, height, left, top, keptWidth, keptHeight) => {
    expect(centralCropBox(width, height)).toEqual({ left, top, width: keptWidth, height: keptHeight });
  });

  it('keeps about 87.5 % of each side', () => {
    for (let side = 16; side <= 2048; side += 1) {
      const box = centralCropBox(side, side);

      expect(box.width + 2 * box.left).toBe(side);
      expect(Math.abs(box.width - 0.875 * side)).toBeLessThanOrEqual(2);
    }
  });

  it('rejects non-positive sizes', () => {
    expect(() => centralCropBox(0, 10)).toThrow(RangeError);
    expect(() => centralCropBox(10, 2.5)).toThrow(RangeError);
  });
});
