import { CheckpointError } from './errors.js';
import { elementCount, forEachSliceRun, sliceProblem, sliceShape, type TensorSlice } from './slices.js';
import type { CheckpointDType, TensorValuesByDType } from './tensor.js';

/** The values of one saved slice of a tensor, in row-major order of the slice's own shape. */
export interface SlicePart<D extends CheckpointDType> {
  slice: TensorSlice;
  values: TensorValuesByDType[D];
}

/** File and tensor being read, for error messages. */
export interface TensorLocation {
  fileName: string;
  tensorName: string;
}

/** Allocates zeroed values of a dtype; strings start empty. */
export function allocateValues<D extends CheckpointDType>(dtype: D, count: number): TensorValuesByDType[D] {
  const arrays: { [K in CheckpointDType]: () => TensorValuesByDType[K] } = {
    float: () => new Float32Array(count),
    double: () => new Float64Array(count),
    int32: () => new Int32Array(count),
    int64: () => new BigInt64Array(count),
    bool: () => new Uint8Array(count),
    string: () => Array.from({ length: count }, () => new Uint8Array(0)),
  };
  return arrays[dtype]();
}

/**
 * Assembles a full tensor from its saved slices. Throws when a slice does not fit the shape, its
 * data has the wrong element count, or the slices do not add up to the whole tensor.
 */
export function assembleSlices<D extends CheckpointDType>(
  location: TensorLocation,
  dtype: D,
  fullShape: readonly number[],
  parts: readonly SlicePart<D>[],
): TensorValuesByDType[D] {
  const fail = (detail: string): CheckpointError => new CheckpointError({ ...location, check: 'corrupt', detail });
  const total = elementCount(fullShape);
  const full = allocateValues(dtype, total);

  let covered = 0;
  for (const { slice, values } of parts) {
    const problem = sliceProblem(fullShape, slice);
    if (problem !== undefined) throw fail(`${problem} of shape [${fullShape.join(', ')}]`);
    const expectedCount = elementCount(sliceShape(fullShape, slice));
    if (values.length !== expectedCount) throw fail(`slice ${formatSlice(slice)} contains ${values.length} values, expected ${expectedCount}`);

    forEachSliceRun(fullShape, slice, (fullOffset, sliceOffset, runLength) => copyRun(full, values, fullOffset, sliceOffset, runLength));
    covered += expectedCount;
  }

  if (covered !== total) throw fail(`the saved slices contain ${covered} of the tensor's ${total} elements`);
  return full;
}

/** Copies one slice out of a full tensor's values, in row-major order of the slice's shape. */
export function extractSlice<D extends CheckpointDType>(
  dtype: D,
  fullShape: readonly number[],
  full: TensorValuesByDType[D],
  slice: TensorSlice,
): TensorValuesByDType[D] {
  const problem = sliceProblem(fullShape, slice);
  if (problem !== undefined) throw new RangeError(`extractSlice: ${problem} of shape [${fullShape.join(', ')}]`);
  const part = allocateValues(dtype, elementCount(sliceShape(fullShape, slice)));
  forEachSliceRun(fullShape, slice, (fullOffset, sliceOffset, runLength) => copyRun(part, full, sliceOffset, fullOffset, runLength));
  return part;
}

function copyRun<D extends CheckpointDType>(
  target: TensorValuesByDType[D],
  source: TensorValuesByDType[D],
  targetOffset: number,
  sourceOffset: number,
  runLength: number,
): void {
  if (Array.isArray(target)) {
    const sourceStrings = source as Uint8Array[];
    for (let i = 0; i < runLength; i++) target[targetOffset + i] = sourceStrings[sourceOffset + i];
    return;
  }
  const typedTarget = target as Exclude<TensorValuesByDType[CheckpointDType], Uint8Array[]>;
  const typedSource = source as typeof typedTarget;
  // Each typed array class accepts its own kind; the union type cannot express that pairing.
  (typedTarget as Float32Array).set((typedSource as Float32Array).subarray(sourceOffset, sourceOffset + runLength), targetOffset);
}

/** Formats a slice the way TensorFlow prints one: `start,length` per dimension, `-` for a full extent, joined by `:`. */
export function formatSlice(slice: TensorSlice): string {
  return slice.map(({ start, length }) => (length === -1 ? '-' : `${start},${length}`)).join(':');
}
