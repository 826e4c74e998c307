import { elementCount, fullSlice, sliceProblem, sliceShape, type TensorSlice } from '../slices.js';
import type { CheckpointTensor } from '../tensor.js';

/** A tensor to write, optionally saved as several slices. */
export type WritableTensor = CheckpointTensor & {
  /** Slices saved as separate entries; together they must cover the tensor once. Default: one slice, the whole tensor. */
  slices?: readonly TensorSlice[];
};

/**
 * Returns slices that split dimension `dimension` of `shape` into `parts` contiguous ranges of
 * nearly equal size (the first ranges one larger), leaving the other dimensions whole, as
 * TensorFlow's partitioned variables are split.
 */
export function splitIntoSlices(shape: readonly number[], dimension: number, parts: number): TensorSlice[] {
  const size = shape[dimension];
  if (!(dimension >= 0 && dimension < shape.length) || !Number.isInteger(parts) || parts < 1 || parts > size) {
    throw new RangeError(`splitIntoSlices: cannot split dimension ${dimension} of shape [${shape.join(', ')}] into ${parts} parts`);
  }
  const slices: TensorSlice[] = [];
  let start = 0;
  for (let part = 0; part < parts; part++) {
    const length = Math.floor(size / parts) + (part < size % parts ? 1 : 0);
    slices.push(fullSlice(shape.length).map((extent, i) => (i === dimension ? { start, length } : extent)));
    start += length;
  }
  return slices;
}

/** Returns the tensor's slices, checking that the values fit the shape and the slices cover it once. */
export function slicesToWrite(tensor: WritableTensor): readonly TensorSlice[] {
  const total = elementCount(tensor.shape);
  if (tensor.values.length !== total) {
    throw new RangeError(`tensor ${tensor.name}: ${tensor.values.length} values do not fill shape [${tensor.shape.join(', ')}]`);
  }
  const slices = tensor.slices ?? [fullSlice(tensor.shape.length)];
  let covered = 0;
  for (const slice of slices) {
    const problem = sliceProblem(tensor.shape, slice);
    if (problem !== undefined) throw new RangeError(`tensor ${tensor.name}: ${problem}`);
    covered += elementCount(sliceShape(tensor.shape, slice));
  }
  if (covered !== total) throw new RangeError(`tensor ${tensor.name}: the slices cover ${covered} of ${total} elements`);
  return slices;
}
