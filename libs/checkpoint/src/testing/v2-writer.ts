import { writeFile } from 'node:fs/promises';

import { crc32cOf, maskCrc32c } from '@inception/tfrecord';

import { extractSlice } from '../assemble.js';
import { bundleDataFileName } from '../bundle-reader.js';
import { encodeBundleEntry, encodeBundleHeader, type BundleEntryFields } from '../messages/encode.js';
import { encodeTensorNameSlice } from '../ordered-code.js';
import { sliceShape } from '../slices.js';
import { compareBytes, concatBytes, copyBytes } from '../sstable/coding.js';
import { SSTableBuilder } from '../sstable/table-builder.js';
import { encodeStringTensor } from '../string-tensor.js';
import { DATA_TYPE_ENUM, ELEMENT_SIZE_BYTES, type CheckpointDType, type TensorValuesByDType } from '../tensor.js';
import { encodeFixedWidthValues } from '../values.js';
import { slicesToWrite, type WritableTensor } from './writable-tensor.js';

/** TensorFlow's kTensorBundleVersion, written as the producer version. */
const BUNDLE_PRODUCER_VERSION = 1;

export interface V2CheckpointOptions {
  /** Data files to spread the tensors over, round robin in the order given. Default 1. */
  numShards?: number;
  /** Byte order of the tensor data, recorded in the header. Default little. Big supports fixed-width dtypes only. */
  endianness?: 'little' | 'big';
  /** Compression of the index table's blocks. Default none, as TensorFlow 1.2 and later write it. */
  indexCompression?: 'none' | 'snappy';
}

/** The files of a V2 checkpoint, named relative to its prefix. */
export interface EncodedBundle {
  index: Uint8Array;
  /** Data file contents by shard id. */
  dataFiles: Uint8Array[];
}

/**
 * Encodes tensors as a V2 checkpoint (a tensor bundle) the way TensorFlow's BundleWriter does.
 * The data files contain each tensor's or slice's bytes back to back without padding. Each index
 * entry contains dtype, shape, shard, offset, size and the masked CRC32C of the bytes. A tensor
 * with several slices gets an entry listing them and one entry per slice under its ordered-code key.
 */
export function encodeV2Checkpoint(tensors: readonly WritableTensor[], options: V2CheckpointOptions = {}): EncodedBundle {
  const numShards = options.numShards ?? 1;
  const endianness = options.endianness ?? 'little';
  const shards = Array.from({ length: numShards }, () => ({ parts: [] as Uint8Array[], sizeBytes: 0 }));
  const entries: { key: Uint8Array; value: Uint8Array }[] = [];
  const utf8 = new TextEncoder();

  for (const [i, tensor] of tensors.entries()) {
    const shardId = i % numShards;
    const shard = shards[shardId];
    const addData = (shape: readonly number[], values: TensorValuesByDType[CheckpointDType]): BundleEntryFields => {
      const { bytes, maskedCrc32c } = encodeData(tensor.dtype, values, endianness);
      const entry = { dtype: DATA_TYPE_ENUM[tensor.dtype], shape, shardId, offsetBytes: shard.sizeBytes, sizeBytes: bytes.length, maskedCrc32c, slices: [] };
      shard.parts.push(bytes);
      shard.sizeBytes += bytes.length;
      return entry;
    };

    const slices = slicesToWrite(tensor);
    // Like TensorFlow's BundleWriter, a single slice is the whole tensor and gets a plain entry.
    if (slices.length === 1) {
      entries.push({ key: utf8.encode(tensor.name), value: encodeBundleEntry(addData(tensor.shape, tensor.values)) });
      continue;
    }
    const fullEntry = { dtype: DATA_TYPE_ENUM[tensor.dtype], shape: tensor.shape, shardId: 0, offsetBytes: 0, sizeBytes: 0, maskedCrc32c: 0, slices };
    entries.push({ key: utf8.encode(tensor.name), value: encodeBundleEntry(fullEntry) });
    for (const slice of slices) {
      const values = extractSlice(tensor.dtype, tensor.shape, tensor.values, slice);
      entries.push({ key: encodeTensorNameSlice(tensor.name, slice), value: encodeBundleEntry(addData(sliceShape(tensor.shape, slice), values)) });
    }
  }

  entries.sort((a, b) => compareBytes(a.key, b.key));
  const builder = new SSTableBuilder({ compression: options.indexCompression ?? 'none' });
  builder.add(new Uint8Array(0), encodeBundleHeader(numShards, endianness, BUNDLE_PRODUCER_VERSION));
  for (const { key, value } of entries) builder.add(key, value);
  return { index: builder.finish(), dataFiles: shards.map((shard) => concatBytes(shard.parts)) };
}

/** Writes `<prefix>.index` and `<prefix>.data-NNNNN-of-NNNNN`; returns the paths written. */
export async function writeV2Checkpoint(prefix: string, tensors: readonly WritableTensor[], options: V2CheckpointOptions = {}): Promise<string[]> {
  const bundle = encodeV2Checkpoint(tensors, options);
  const paths = [`${prefix}.index`, ...bundle.dataFiles.map((_, shardId) => bundleDataFileName(prefix, shardId, bundle.dataFiles.length))];
  await writeFile(paths[0], bundle.index);
  for (const [shardId, bytes] of bundle.dataFiles.entries()) await writeFile(paths[shardId + 1], bytes);
  return paths;
}

function encodeData(dtype: CheckpointDType, values: TensorValuesByDType[CheckpointDType], endianness: 'little' | 'big'): { bytes: Uint8Array; maskedCrc32c: number } {
  if (dtype === 'string') {
    if (endianness === 'big') throw new RangeError('encodeV2Checkpoint: big-endian string tensors are not supported');
    return encodeStringTensor(values as Uint8Array[]);
  }
  const littleEndianBytes = encodeFixedWidthValues(values as TensorValuesByDType[Exclude<CheckpointDType, 'string'>]);
  const bytes = endianness === 'little' ? copyBytes(littleEndianBytes) : swapBytes(littleEndianBytes, ELEMENT_SIZE_BYTES[dtype]);
  return { bytes, maskedCrc32c: maskCrc32c(crc32cOf(bytes)) };
}

function swapBytes(bytes: Uint8Array, elementSizeBytes: number): Uint8Array {
  const swapped = new Uint8Array(bytes.length);
  for (let offset = 0; offset < bytes.length; offset += elementSizeBytes) {
    for (let i = 0; i < elementSizeBytes; i++) swapped[offset + i] = bytes[offset + elementSizeBytes - 1 - i];
  }
  return swapped;
}
