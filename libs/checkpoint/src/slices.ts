/** One dimension of a slice: `length` elements from `start`, or the whole dimension when `length` is -1. */
export interface SliceExtent {
  start: number;
  length: number;
}

/** A box inside a tensor, one extent per dimension, as TensorFlow's `TensorSliceProto` stores it. */
export type TensorSlice = readonly SliceExtent[];

/** TensorFlow's `kFullExtent`: the length of an extent that covers its whole dimension. */
export const FULL_EXTENT = -1;

/** Returns the slice that covers a whole tensor of rank `rank`. */
export function fullSlice(rank: number): TensorSlice {
  return Array.from({ length: rank }, () => ({ start: 0, length: FULL_EXTENT }));
}

/** Returns the shape of a slice's data inside a tensor of shape `fullShape`. */
export function sliceShape(fullShape: readonly number[], slice: TensorSlice): number[] {
  return fullShape.map((size, i) => (slice[i].length === FULL_EXTENT ? size : slice[i].length));
}

/** Returns the number of elements of a shape; 1 for a scalar. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** Returns why a slice does not fit a tensor of shape `fullShape`, or undefined when it fits. */
export function sliceProblem(fullShape: readonly number[], slice: TensorSlice): string | undefined {
  if (slice.length !== fullShape.length) return `slice rank ${slice.length} differs from the tensor rank ${fullShape.length}`;
  for (let i = 0; i < slice.length; i++) {
    const { start, length } = slice[i];
    if (length === FULL_EXTENT ? start !== 0 : start < 0 || length < 0 || start + length > fullShape[i]) {
      return `extent ${i} (start ${start}, length ${length}) does not fit dimension size ${fullShape[i]}`;
    }
  }
  return undefined;
}

/**
 * Calls `copyRun(fullOffset, sliceOffset, runLength)` for each contiguous run of a slice inside a
 * row-major tensor of shape `fullShape`, with offsets in elements. Callers use it in both
 * directions: to scatter slice data into the full tensor, and to gather a slice out of it.
 * The slice must fit (see {@link sliceProblem}).
 */
export function forEachSliceRun(
  fullShape: readonly number[],
  slice: TensorSlice,
  copyRun: (fullOffset: number, sliceOffset: number, runLength: number) => void,
): void {
  const rank = fullShape.length;
  const sizes = sliceShape(fullShape, slice);
  if (sizes.some((size) => size === 0)) return;
  if (rank === 0) {
    copyRun(0, 0, 1);
    return;
  }

  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * fullShape[i + 1];

  const runLength = sizes[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  let sliceOffset = 0;
  for (;;) {
    let fullOffset = slice[rank - 1].start;
    for (let i = 0; i < rank - 1; i++) fullOffset += (slice[i].start + index[i]) * strides[i];
    copyRun(fullOffset, sliceOffset, runLength);
    sliceOffset += runLength;

    // Advance the index over the outer dimensions like an odometer.
    let dim = rank - 2;
    while (dim >= 0 && ++index[dim] === sizes[dim]) {
      index[dim] = 0;
      dim--;
    }
    if (dim < 0) return;
  }
}
