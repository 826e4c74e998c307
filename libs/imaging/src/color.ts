/**
 * Colour adjustments on interleaved RGB float pixels (HWC, nominally 0–1), modified in place.
 * Like TensorFlow's image ops, none of them clamps its output except where stated, so values
 * may leave [0, 1] until {@link clipToUnitRange}.
 */

const CHANNELS = 3;

function assertRgb(operation: string, pixels: Float32Array): void {
  if (pixels.length % CHANNELS !== 0) {
    throw new RangeError(`${operation}: pixel array length ${pixels.length} is not a multiple of 3 (RGB)`);
  }
}

/** Adds `delta` to every channel of every pixel. */
export function adjustBrightness(pixels: Float32Array, delta: number): void {
  for (let index = 0; index < pixels.length; index += 1) {
    pixels[index] += delta;
  }
}

/** Moves each channel away from its mean over all pixels: x ← (x − mean) · factor + mean. */
export function adjustContrast(pixels: Float32Array, factor: number): void {
  assertRgb('adjustContrast', pixels);
  const pixelCount = pixels.length / CHANNELS;
  if (pixelCount === 0) {
    return;
  }
  const sums = [0, 0, 0];
  for (let index = 0; index < pixels.length; index += 1) {
    sums[index % CHANNELS] += pixels[index];
  }
  const means = sums.map((sum) => sum / pixelCount);
  for (let index = 0; index < pixels.length; index += 1) {
    const mean = means[index % CHANNELS];
    pixels[index] = (pixels[index] - mean) * factor + mean;
  }
}

/**
 * Rewrites each pixel through HSV, adding `hueDelta` (in turns) to the hue and multiplying the
 * saturation by `saturationFactor`, clamped to [0, 1] when `clampSaturation` is set. Saturation
 * is 0 when value ≤ 0, as in TensorFlow's rgb_to_hsv, so pixels pushed below 0 by a brightness
 * change lose their colour here.
 */
function mapHsv(pixels: Float32Array, hueDelta: number, saturationFactor: number, clampSaturation: boolean): void {
  for (let index = 0; index < pixels.length; index += CHANNELS) {
    const red = pixels[index];
    const green = pixels[index + 1];
    const blue = pixels[index + 2];
    const value = Math.max(red, green, blue);
    const range = value - Math.min(red, green, blue);

    // Hue in sixths of a turn, 0–6.
    let hue6 = 0;
    if (range > 0) {
      if (value === red) {
        hue6 = (green - blue) / range;
      } else if (value === green) {
        hue6 = 2 + (blue - red) / range;
      } else {
        hue6 = 4 + (red - green) / range;
      }
    }
    hue6 += hueDelta * 6;
    hue6 -= 6 * Math.floor(hue6 / 6);
    let saturation = (value > 0 ? range / value : 0) * saturationFactor;
    if (clampSaturation) {
      saturation = Math.min(1, Math.max(0, saturation));
    }

    const sector = Math.min(5, Math.floor(hue6));
    const fraction = hue6 - sector;
    const p = value * (1 - saturation);
    const q = value * (1 - saturation * fraction);
    const t = value * (1 - saturation * (1 - fraction));
    let newRed = value;
    let newGreen = t;
    let newBlue = p;
    if (sector === 1) {
      newRed = q;
      newGreen = value;
    } else if (sector === 2) {
      newRed = p;
      newGreen = value;
      newBlue = t;
    } else if (sector === 3) {
      newRed = p;
      newGreen = q;
      newBlue = value;
    } else if (sector === 4) {
      newRed = t;
      newGreen = p;
      newBlue = value;
    } else if (sector === 5) {
      newGreen = p;
      newBlue = q;
    }
    pixels[index] = newRed;
    pixels[index + 1] = newGreen;
    pixels[index + 2] = newBlue;
  }
}

/** Multiplies HSV saturation by `factor` and clamps it to [0, 1]. */
export function adjustSaturation(pixels: Float32Array, factor: number): void {
  assertRgb('adjustSaturation', pixels);
  mapHsv(pixels, 0, factor, true);
}

/** Adds `delta` (in turns, so 1 is a full circle) to HSV hue, wrapping around. */
export function adjustHue(pixels: Float32Array, delta: number): void {
  assertRgb('adjustHue', pixels);
  mapHsv(pixels, delta, 1, false);
}

/** Clamps every value to [0, 1]. */
export function clipToUnitRange(pixels: Float32Array): void {
  for (let index = 0; index < pixels.length; index += 1) {
    pixels[index] = Math.min(1, Math.max(0, pixels[index]));
  }
}

/**
 * Order of the colour operations, chosen in TensorFlow by thread_id % 2:
 * 0 is brightness, saturation, hue, contrast and 1 is brightness, contrast, saturation, hue.
 */
export type ColorOrdering = 0 | 1;

/** Parameters drawn by {@link distortColor}. */
export interface ColorDistortion {
  /** Drawn from [−32/255, 32/255). */
  brightnessDelta: number;
  /** Drawn from [0.5, 1.5). */
  saturationFactor: number;
  /** Drawn from [−0.2, 0.2), in turns. */
  hueDelta: number;
  /** Drawn from [0.5, 1.5). */
  contrastFactor: number;
}

function uniform(random: () => number, low: number, high: number): number {
  return low + random() * (high - low);
}

/**
 * Applies Inception's training colour distortion in place and clips the result to [0, 1].
 * Each operation draws its parameter from `random` when it runs, so the draw order follows
 * `ordering`. Returns the parameters drawn.
 */
export function distortColor(pixels: Float32Array, ordering: ColorOrdering, random: () => number): ColorDistortion {
  assertRgb('distortColor', pixels);
  const drawn: ColorDistortion = { brightnessDelta: 0, saturationFactor: 1, hueDelta: 0, contrastFactor: 1 };
  const brightness = (): void => {
    drawn.brightnessDelta = uniform(random, -32 / 255, 32 / 255);
    adjustBrightness(pixels, drawn.brightnessDelta);
  };
  const saturation = (): void => {
    drawn.saturationFactor = uniform(random, 0.5, 1.5);
    adjustSaturation(pixels, drawn.saturationFactor);
  };
  const hue = (): void => {
    drawn.hueDelta = uniform(random, -0.2, 0.2);
    adjustHue(pixels, drawn.hueDelta);
  };
  const contrast = (): void => {
    drawn.contrastFactor = uniform(random, 0.5, 1.5);
    adjustContrast(pixels, drawn.contrastFactor);
  };

  const steps = ordering === 0 ? [brightness, saturation, hue, contrast] : [brightness, contrast, saturation, hue];
  for (const step of steps) {
    step();
  }
  clipToUnitRange(pixels);
  return drawn;
}
