import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

import { FULL_EXTENT, type TensorSlice } from '../slices.js';
import type { CheckpointTensor } from '../tensor.js';
import { encodeFixedWidthValues } from '../values.js';

// Encoders of the checkpoint messages for test checkpoints. Fields are written in field-number
// order and proto3 defaults are left out, as TensorFlow's C++ serializer does.

export interface BundleEntryFields {
  dtype: number;
  shape: readonly number[];
  shardId: number;
  offsetBytes: number;
  sizeBytes: number;
  maskedCrc32c: number;
  slices: readonly TensorSlice[];
}

function writeShape(writer: BinaryWriter, fieldNo: number, shape: readonly number[]): void {
  writer.tag(fieldNo, WireType.LengthDelimited).fork();
  for (const size of shape) {
    writer.tag(2, WireType.LengthDelimited).fork();
    if (size !== 0) writer.tag(1, WireType.Varint).int64(size);
    writer.join();
  }
  writer.join();
}

function writeSlice(writer: BinaryWriter, fieldNo: number, slice: TensorSlice): void {
  writer.tag(fieldNo, WireType.LengthDelimited).fork();
  for (const { start, length } of slice) {
    writer.tag(1, WireType.LengthDelimited).fork();
    if (start !== 0) writer.tag(1, WireType.Varint).int64(start);
    if (length !== FULL_EXTENT) writer.tag(2, WireType.Varint).int64(length);
    writer.join();
  }
  writer.join();
}

/** Encodes a VersionDef under `fieldNo` with only `producer` set. */
function writeVersion(writer: BinaryWriter, fieldNo: number, producer: number): void {
  writer.tag(fieldNo, WireType.LengthDelimited).fork();
  if (producer !== 0) writer.tag(1, WireType.Varint).int32(producer);
  writer.join();
}

export function encodeBundleHeader(numShards: number, endianness: 'little' | 'big', producer: number): Uint8Array {
  const writer = new BinaryWriter();
  if (numShards !== 0) writer.tag(1, WireType.Varint).int32(numShards);
  if (endianness === 'big') writer.tag(2, WireType.Varint).int32(1);
  writeVersion(writer, 3, producer);
  return writer.finish();
}

export function encodeBundleEntry(entry: BundleEntryFields): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.Varint).int32(entry.dtype);
  writeShape(writer, 2, entry.shape);
  if (entry.shardId !== 0) writer.tag(3, WireType.Varint).int32(entry.shardId);
  if (entry.offsetBytes !== 0) writer.tag(4, WireType.Varint).int64(entry.offsetBytes);
  if (entry.sizeBytes !== 0) writer.tag(5, WireType.Varint).int64(entry.sizeBytes);
  if (entry.maskedCrc32c !== 0) writer.tag(6, WireType.Bit32).fixed32(entry.maskedCrc32c);
  for (const slice of entry.slices) writeSlice(writer, 7, slice);
  return writer.finish();
}

/** Encodes the SavedTensorSlices of a V1 checkpoint's "" key: every tensor's name, shape, dtype and slices. */
export function encodeSavedTensorSliceMeta(
  tensors: readonly { name: string; shape: readonly number[]; dtype: number; slices: readonly TensorSlice[] }[],
  producer: number,
): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).fork();
  for (const tensor of tensors) {
    writer.tag(1, WireType.LengthDelimited).fork();
    writer.tag(1, WireType.LengthDelimited).string(tensor.name);
    writeShape(writer, 2, tensor.shape);
    writer.tag(3, WireType.Varint).int32(tensor.dtype);
    for (const slice of tensor.slices) writeSlice(writer, 4, slice);
    writer.join();
  }
  writeVersion(writer, 2, producer);
  writer.join();
  return writer.finish();
}

/**
 * Encodes the SavedTensorSlices of one V1 slice: the tensor name, the slice and a TensorProto.
 * As in TensorFlow's V1 writer, the TensorProto sets only the typed value field (float_val 5,
 * double_val 6, int_val 7, string_val 8, int64_val 10 or bool_val 11).
 */
export function encodeSavedSlice(name: string, slice: TensorSlice, data: CheckpointTensor): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(2, WireType.LengthDelimited).fork();
  writer.tag(1, WireType.LengthDelimited).string(name);
  writeSlice(writer, 2, slice);
  writer.tag(3, WireType.LengthDelimited).fork();
  writeTensorValues(writer, data);
  writer.join();
  writer.join();
  return writer.finish();
}

function writeTensorValues(writer: BinaryWriter, tensor: CheckpointTensor): void {
  if (tensor.values.length === 0) return;
  switch (tensor.dtype) {
    case 'float':
    case 'double':
      writer.tag(tensor.dtype === 'float' ? 5 : 6, WireType.LengthDelimited).bytes(encodeFixedWidthValues(tensor.values));
      return;
    case 'string':
      for (const value of tensor.values) writer.tag(8, WireType.LengthDelimited).bytes(value);
      return;
    case 'int32':
    case 'int64':
    case 'bool': {
      writer.tag(FIELD_OF_VARINT_DTYPE[tensor.dtype], WireType.LengthDelimited).fork();
      for (const value of tensor.values) {
        if (tensor.dtype === 'int32') writer.int32(value as number);
        else if (tensor.dtype === 'int64') writer.int64(value as bigint);
        else writer.bool(value !== 0);
      }
      writer.join();
    }
  }
}

const FIELD_OF_VARINT_DTYPE = { int32: 7, int64: 10, bool: 11 } as const;
