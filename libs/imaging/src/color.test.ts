import { describe, expect, it } from 'vitest';

import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  clipToUnitRange,
  distortColor,
} from './color.js';
import { createSeededRandom } from './testing/seeded-random.js';

function expectPixelsClose(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, index) => {
    expect(actual[index], `value ${index}`).toBeCloseTo(value, 5);
  });
}

/** Returns a random() that yields `values` in turn. */
function sequence(values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length];
}

describe('colour operations on known pixels', () => {
  it('adds the brightness delta without clamping', () => {
    const pixels = new Float32Array([0.2, 0.3, 0.95]);
    adjustBrightness(pixels, 0.1);

    expectPixelsClose(pixels, [0.3, 0.4, 1.05]);
  });

  it('scales contrast around each channel mean', () => {
    const pixels = new Float32Array([0, 0, 0, 1, 0.5, 0.2]);
    adjustContrast(pixels, 2);

    // Channel means are 0.5, 0.25 and 0.1.
    expectPixelsClose(pixels, [-0.5, -0.25, -0.1, 1.5, 0.75, 0.3]);
  });

  it('halves and clamps saturation', () => {
    const red = new Float32Array([1, 0, 0]);
    adjustSaturation(red, 0.5);
    expectPixelsClose(red, [1, 0.5, 0.5]);

    adjustSaturation(red, 3);
    expectPixelsClose(red, [1, 0, 0]);
  });

  it('leaves grey unchanged by saturation and hue', () => {
    const grey = new Float32Array([0.4, 0.4, 0.4]);
    adjustSaturation(grey, 1.5);
    adjustHue(grey, 0.2);

    expectPixelsClose(grey, [0.4, 0.4, 0.4]);
  });

  it('rotates hue with wrap-around', () => {
    const toGreen = new Float32Array([1, 0, 0]);
    adjustHue(toGreen, 1 / 3);
    expectPixelsClose(toGreen, [0, 1, 0]);

    const toBlue = new Float32Array([1, 0, 0]);
    adjustHue(toBlue, -1 / 3);
    expectPixelsClose(toBlue, [0, 0, 1]);

    // Half a turn gives the complement: max + min − x.
    const orange = new Float32Array([0.8, 0.4, 0.2]);
    adjustHue(orange, 0.5);
    expectPixelsClose(orange, [0.2, 0.6, 0.8]);
  });

  it('clips to [0, 1]', () => {
    const pixels = new Float32Array([-0.2, 0.5, 1.7]);
    clipToUnitRange(pixels);

    expectPixelsClose(pixels, [0, 0.5, 1]);
  });

  it('rejects arrays that are not RGB', () => {
    expect(() => adjustSaturation(new Float32Array(4), 1)).toThrow(/multiple of 3/);
  });
});

describe('distortColor', () => {
  const image = [0.9, 0.2, 0.1, 0.1, 0.6, 0.3, 0.5, 0.5, 0.9, 0.3, 0.3, 0.3];

  it('leaves pixels unchanged at neutral draws', () => {
    const pixels = new Float32Array(image);
    const drawn = distortColor(pixels, 0, () => 0.5);

    expect(drawn).toEqual({ brightnessDelta: 0, saturationFactor: 1, hueDelta: 0, contrastFactor: 1 });
    expectPixelsClose(pixels, image);
  });

  it.each([0, 1] as const)('applies ordering %i in its documented order', (ordering) => {
    const draws = [0.1, 0.7, 0.9, 0.2];
    const pixels = new Float32Array(image);
    const drawn = distortColor(pixels, ordering, sequence(draws));

    const expected = new Float32Array(image);
    adjustBrightness(expected, drawn.brightnessDelta);
    if (ordering === 0) {
      adjustSaturation(expected, drawn.saturationFactor);
      adjustHue(expected, drawn.hueDelta);
      adjustContrast(expected, drawn.contrastFactor);
    } else {
      adjustContrast(expected, drawn.contrastFactor);
      adjustSaturation(expected, drawn.saturationFactor);
      adjustHue(expected, drawn.hueDelta);
    }
    clipToUnitRange(expected);

    expect(drawn.brightnessDelta).toBeCloseTo(-32 / 255 + 0.1 * (64 / 255), 10);
    expectPixelsClose(pixels, Array.from(expected));
  });

  it('gives different pixels for the two orderings', () => {
    const first = new Float32Array(image);
    const second = new Float32Array(image);
    distortColor(first, 0, sequence([0.1, 0.7, 0.9, 0.2]));
    distortColor(second, 1, sequence([0.1, 0.2, 0.7, 0.9]));

    expect(Array.from(first)).not.toEqual(Array.from(second));
  });

  it('draws each parameter within its range and clips', () => {
    const random = createSeededRandom(11);
    for (let trial = 0; trial < 500; trial += 1) {
      const pixels = new Float32Array(image);
      const drawn = distortColor(pixels, (trial % 2) as 0 | 1, random);

      expect(Math.abs(drawn.brightnessDelta)).toBeLessThanOrEqual(32 / 255);
      expect(drawn.saturationFactor).toBeGreaterThanOrEqual(0.5);
      expect(drawn.saturationFactor).toBeLessThan(1.5);
      expect(Math.abs(drawn.hueDelta)).toBeLessThanOrEqual(0.2);
      expect(drawn.contrastFactor).toBeGreaterThanOrEqual(0.5);
      expect(drawn.contrastFactor).toBeLessThan(1.5);
      expect(Math.min(...pixels)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...pixels)).toBeLessThanOrEqual(1);
    }
  });
});
