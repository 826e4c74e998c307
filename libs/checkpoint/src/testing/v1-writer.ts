import { writeFile } from 'node:fs/promises';

import { extractSlice } from '../assemble.js';
import { encodeSavedSlice, encodeSavedTensorSliceMeta } from '../messages/encode.js';
import { encodeTensorNameSlice } from '../ordered-code.js';
import { sliceShape } from '../slices.js';
import { compareBytes } from '../sstable/coding.js';
import { SSTableBuilder, type SSTableBuilderOptions } from '../sstable/table-builder.js';
import { DATA_TYPE_ENUM, type CheckpointTensor } from '../tensor.js';
import { slicesToWrite, type WritableTensor } from './writable-tensor.js';

/** TensorFlow's TF_CHECKPOINT_VERSION, written as the producer version of V1 checkpoints. */
const V1_PRODUCER_VERSION = 1;

/** Table options of a V1 checkpoint: block compression (default none) and block size. */
export type V1CheckpointOptions = SSTableBuilderOptions;

/**
 * Encodes tensors as a V1 checkpoint, the single-file SSTable that TensorFlow's TensorSliceWriter
 * writes: the metadata under "" (tensors in the order given), then each slice under its
 * ordered-code key. With default options the bytes match TensorFlow's for the same tensors.
 */
export function encodeV1Checkpoint(tensors: readonly WritableTensor[], options: V1CheckpointOptions = {}): Uint8Array {
  const metas = tensors.map((tensor) => ({ name: tensor.name, shape: tensor.shape, dtype: DATA_TYPE_ENUM[tensor.dtype], slices: slicesToWrite(tensor) }));

  const entries: { key: Uint8Array; value: Uint8Array }[] = [];
  for (const [i, tensor] of tensors.entries()) {
    for (const slice of metas[i].slices) {
      const values = extractSlice(tensor.dtype, tensor.shape, tensor.values, slice);
      const part = { name: tensor.name, dtype: tensor.dtype, shape: sliceShape(tensor.shape, slice), values } as CheckpointTensor;
      entries.push({ key: encodeTensorNameSlice(tensor.name, slice), value: encodeSavedSlice(tensor.name, slice, part) });
    }
  }
  entries.sort((a, b) => compareBytes(a.key, b.key));

  const builder = new SSTableBuilder(options);
  builder.add(new Uint8Array(0), encodeSavedTensorSliceMeta(metas, V1_PRODUCER_VERSION));
  for (const { key, value } of entries) builder.add(key, value);
  return builder.finish();
}

/** Writes a V1 checkpoint file; see {@link encodeV1Checkpoint}. */
export async function writeV1Checkpoint(filePath: string, tensors: readonly WritableTensor[], options: V1CheckpointOptions = {}): Promise<void> {
  await writeFile(filePath, encodeV1Checkpoint(tensors, options));
}
