/** A rectangle of pixels inside an image, in sharp's `extract` layout. */
export interface CropBox {
  /** Column of the first pixel. */
  left: number;
  /** Row of the first pixel. */
  top: number;
  width: number;
  height: number;
}

/** Throws RangeError unless width and height are positive integers. */
export function assertImageSize(operation: string, width: number, height: number): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`${operation}: image size must be positive integers, got ${width}×${height}`);
  }
}

/**
 * Returns the central crop that keeps 87.5 % of each side, as TensorFlow 1's
 * `central_crop(image, 0.875)` computes it: floor(side / 16) pixels are removed from each edge,
 * so a side below 16 pixels is kept whole.
 */
export function centralCropBox(width: number, height: number): CropBox {
  assertImageSize('centralCropBox', width, height);

  // (1 − 0.875) / 2 = 1/16 of each side goes on each edge, rounded down.
  const left = Math.floor(width / 16);
  const top = Math.floor(height / 16);
  return { left, top, width: width - 2 * left, height: height - 2 * top };
}
