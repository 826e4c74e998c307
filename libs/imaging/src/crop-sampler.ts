import { assertImageSize, type CropBox } from './crop-box.js';

/**
 * A box in coordinates relative to the image size, 0–1 on each axis, in TensorFlow's
 * (ymin, xmin, ymax, xmax) order of the `image/object/bbox/*` features.
 */
export interface NormalizedBox {
  yMin: number;
  xMin: number;
  yMax: number;
  xMax: number;
}

export interface DistortedBoundingBoxOptions {
  /** Minimum fraction of some box's area that the crop must cover. Default 0.1. */
  minObjectCovered?: number;
  /** Range of crop width / height. Default [0.75, 1.33]. */
  aspectRatioRange?: readonly [number, number];
  /** Range of crop area as a fraction of the image area. Default [0.05, 1.0]. */
  areaRange?: readonly [number, number];
  /** Crops tried before falling back to the whole image. Default 100. */
  maxAttempts?: number;
  /** Whether an empty `boxes` means the whole image. When false, an empty list throws. Default true. */
  useImageIfNoBoundingBoxes?: boolean;
}

export interface DistortedBoundingBox extends CropBox {
  /** True when no attempt met the constraints and the whole image was returned. */
  isFallback: boolean;
}

/** Rectangle with exclusive max corner, as the TensorFlow kernel keeps them. */
interface PixelRect {
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

// The kernel computes in float32 and rounds with lrintf, which rounds halves to even.
const toFloat32 = Math.fround;

function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) {
    return Math.round(value);
  }
  return floor % 2 === 0 ? floor : floor + 1;
}

function rectArea(rect: PixelRect): number {
  return (rect.xMax - rect.xMin) * (rect.yMax - rect.yMin);
}

function intersectionArea(a: PixelRect, b: PixelRect): number {
  const xMin = Math.max(a.xMin, b.xMin);
  const yMin = Math.max(a.yMin, b.yMin);
  const xMax = Math.min(a.xMax, b.xMax);
  const yMax = Math.min(a.yMax, b.yMax);
  if (xMin > xMax || yMin > yMax) {
    return 0;
  }
  return rectArea({ xMin, yMin, xMax, yMax });
}

/** Uniform integer in [0, count), like TensorFlow's `random->Uniform(count)`. */
function uniformInteger(random: () => number, count: number): number {
  return Math.min(count - 1, Math.floor(random() * count));
}

/**
 * Tries one crop as the kernel's GenerateRandomCrop does. The height is drawn uniformly between
 * the heights that give the minimum and maximum area at this aspect ratio. Returns null when the
 * rounded crop breaks the area or image bounds.
 */
function generateRandomCrop(
  width: number,
  height: number,
  minArea: number,
  maxArea: number,
  aspectRatio: number,
  random: () => number,
): CropBox | null {
  let cropHeight = roundHalfToEven(toFloat32(Math.sqrt(toFloat32(minArea / aspectRatio))));
  let maxCropHeight = roundHalfToEven(toFloat32(Math.sqrt(toFloat32(maxArea / aspectRatio))));
  if (roundHalfToEven(toFloat32(maxCropHeight * aspectRatio)) > width) {
    // The kernel subtracts a float32 epsilon in double precision, so width + 0.5 rounds down.
    maxCropHeight = Math.trunc((width + 0.5 - toFloat32(1e-7)) / aspectRatio);
  }
  maxCropHeight = Math.min(maxCropHeight, height);
  if (cropHeight >= maxCropHeight) {
    cropHeight = maxCropHeight;
  } else {
    cropHeight += uniformInteger(random, maxCropHeight - cropHeight + 1);
  }

  let cropWidth = roundHalfToEven(toFloat32(cropHeight * aspectRatio));
  let area = toFloat32(cropWidth * cropHeight);
  if (area < minArea) {
    cropHeight += 1;
    cropWidth = roundHalfToEven(toFloat32(cropHeight * aspectRatio));
    area = toFloat32(cropWidth * cropHeight);
  }
  if (area > maxArea) {
    cropHeight -= 1;
    cropWidth = roundHalfToEven(toFloat32(cropHeight * aspectRatio));
    area = toFloat32(cropWidth * cropHeight);
  }
  if (area < minArea || area > maxArea || cropWidth > width || cropHeight > height || cropWidth <= 0 || cropHeight <= 0) {
    return null;
  }

  // Offsets are drawn from [0, side − cropSide), so a crop smaller than the image never reaches
  // its bottom row or right column.
  const top = cropHeight < height ? uniformInteger(random, height - cropHeight) : 0;
  const left = cropWidth < width ? uniformInteger(random, width - cropWidth) : 0;
  return { left, top, width: cropWidth, height: cropHeight };
}

function validateOptions(
  minObjectCovered: number,
  aspectRatioRange: readonly [number, number],
  areaRange: readonly [number, number],
  maxAttempts: number,
): void {
  if (!(minObjectCovered >= 0)) {
    throw new RangeError(`sampleDistortedBoundingBox: minObjectCovered must be >= 0, got ${minObjectCovered}`);
  }
  const [minAspect, maxAspect] = aspectRatioRange;
  if (!(minAspect > 0 && maxAspect >= minAspect)) {
    throw new RangeError(`sampleDistortedBoundingBox: aspectRatioRange must be positive and ordered, got [${minAspect}, ${maxAspect}]`);
  }
  const [minAreaFraction, maxAreaFraction] = areaRange;
  if (!(minAreaFraction > 0 && maxAreaFraction >= minAreaFraction && maxAreaFraction <= 1)) {
    throw new RangeError(`sampleDistortedBoundingBox: areaRange must be ordered within (0, 1], got [${minAreaFraction}, ${maxAreaFraction}]`);
  }
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts <= 0) {
    throw new RangeError(`sampleDistortedBoundingBox: maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
}

function toPixelRects(boxes: readonly NormalizedBox[], width: number, height: number): PixelRect[] {
  return boxes.map((box, index) => {
    const inRange = [box.yMin, box.xMin, box.yMax, box.xMax].every((value) => value >= 0 && value <= 1);
    if (!inRange || box.yMin > box.yMax || box.xMin > box.xMax) {
      throw new RangeError(
        `sampleDistortedBoundingBox: box ${index} (yMin ${box.yMin}, xMin ${box.xMin}, yMax ${box.yMax}, xMax ${box.xMax}) must lie in [0, 1] with min <= max`,
      );
    }
    // Truncation toward zero, as the kernel's static_cast<int> of a float32 product.
    return {
      xMin: Math.trunc(toFloat32(toFloat32(box.xMin) * width)),
      yMin: Math.trunc(toFloat32(toFloat32(box.yMin) * height)),
      xMax: Math.trunc(toFloat32(toFloat32(box.xMax) * width)),
      yMax: Math.trunc(toFloat32(toFloat32(box.yMax) * height)),
    };
  });
}

/**
 * Samples a random crop as TensorFlow's `sample_distorted_bounding_box` kernel (2016 version)
 * does. Each attempt draws an aspect ratio, then a height, then the top and left offsets. It is
 * accepted when it covers at least `minObjectCovered` of some box. After `maxAttempts` failures
 * the whole image is returned.
 *
 * With no boxes the whole image is the box, so crops under 10 % of the image area (at the default
 * coverage of 0.1) are never returned, whatever `areaRange` allows. `random` must return uniform
 * values in [0, 1). TensorFlow's Philox generator cannot be reproduced, so only the distribution
 * of crops matches TensorFlow, not individual draws.
 */
export function sampleDistortedBoundingBox(
  width: number,
  height: number,
  boxes: readonly NormalizedBox[],
  options: DistortedBoundingBoxOptions,
  random: () => number,
): DistortedBoundingBox {
  assertImageSize('sampleDistortedBoundingBox', width, height);
  const minObjectCovered = options.minObjectCovered ?? 0.1;
  const aspectRatioRange = options.aspectRatioRange ?? [0.75, 1.33];
  const areaRange = options.areaRange ?? [0.05, 1.0];
  const maxAttempts = options.maxAttempts ?? 100;
  validateOptions(minObjectCovered, aspectRatioRange, areaRange, maxAttempts);

  const wholeImage: PixelRect = { xMin: 0, yMin: 0, xMax: width, yMax: height };
  let pixelRects = toPixelRects(boxes, width, height);
  if (pixelRects.length === 0) {
    if (options.useImageIfNoBoundingBoxes === false) {
      throw new RangeError('sampleDistortedBoundingBox: no bounding boxes given and useImageIfNoBoundingBoxes is false');
    }
    pixelRects = [wholeImage];
  }

  const minCoverage = toFloat32(minObjectCovered);
  const minAspect = toFloat32(aspectRatioRange[0]);
  const aspectSpan = toFloat32(toFloat32(aspectRatioRange[1]) - minAspect);
  const minArea = toFloat32(toFloat32(toFloat32(areaRange[0]) * width) * height);
  const maxArea = toFloat32(toFloat32(toFloat32(areaRange[1]) * width) * height);

  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const aspectRatio = toFloat32(toFloat32(random() * aspectSpan) + minAspect);
    const crop = generateRandomCrop(width, height, minArea, maxArea, aspectRatio, random);
    if (crop === null) {
      continue;
    }
    const cropRect = { xMin: crop.left, yMin: crop.top, xMax: crop.left + crop.width, yMax: crop.top + crop.height };
    const coversABox = pixelRects.some((box) => {
      const boxArea = rectArea(box);
      return boxArea > 0 && toFloat32(intersectionArea(cropRect, box) / boxArea) >= minCoverage;
    });
    if (rectArea(cropRect) >= 1 && coversABox) {
      return { ...crop, isFallback: false };
    }
  }
  return { left: 0, top: 0, width, height, isFallback: true };
}
