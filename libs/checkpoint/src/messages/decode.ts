import { WireType } from '@bufbuild/protobuf/wire';

import { FULL_EXTENT, type SliceExtent, type TensorSlice } from '../slices.js';
import { forEachField, readRepeatedFixedBytes, readRepeatedVarints, toBigInt, toSafeNumber } from './wire.js';

// Decoders of the few TensorFlow messages in checkpoints. Field numbers are those of
// tensor_shape.proto, tensor_slice.proto, versions.proto, tensor.proto (tensorflow/core/framework),
// tensor_bundle.proto (tensorflow/core/protobuf) and saved_tensor_slice.proto (tensorflow/core/util).

export interface VersionDef {
  producer: number;
  minConsumer: number;
  badConsumers: number[];
}

export interface BundleHeader {
  numShards: number;
  endianness: 'little' | 'big';
  version: VersionDef;
}

export interface BundleEntry {
  /** DataType enum number. */
  dtype: number;
  /** Dimension sizes; -1 marks an unknown size, which TensorFlow rejects in a checkpoint. */
  shape: number[];
  shardId: number;
  offsetBytes: number;
  sizeBytes: number;
  /** Masked CRC32C of the tensor's bytes in the data file. */
  maskedCrc32c: number;
  /** Non-empty for a partitioned tensor, whose slices have entries of their own. */
  slices: TensorSlice[];
}

export interface SavedSliceMeta {
  name: string;
  shape: number[];
  dtype: number;
  slices: TensorSlice[];
}

export interface SavedTensorSliceMeta {
  tensors: SavedSliceMeta[];
  versions: VersionDef | undefined;
}

/** The value fields of a TensorProto, as raw encodings to be decoded once the dtype is known. */
export interface TensorProtoValues {
  dtype: number;
  tensorContent: Uint8Array | undefined;
  /** Little-endian bytes of float_val (field 5) or double_val (field 6). */
  fixedWidthChunks: Uint8Array[];
  /** int_val (7), int64_val (10) or bool_val (11). */
  varints: bigint[];
  stringValues: Uint8Array[];
}

export interface SavedSlice {
  name: string;
  slice: TensorSlice;
  data: TensorProtoValues | undefined;
}

export function decodeTensorShape(bytes: Uint8Array): number[] {
  const dims: number[] = [];
  forEachField(bytes, (fieldNo, wireType, reader) => {
    if (fieldNo !== 2 || wireType !== WireType.LengthDelimited) return false;
    let size = 0;
    forEachField(reader.bytes(), (dimField, dimWire, dimReader) => {
      if (dimField !== 1 || dimWire !== WireType.Varint) return false;
      size = toSafeNumber(dimReader.int64(), 'dimension size');
      return true;
    });
    dims.push(size);
    return true;
  });
  return dims;
}

export function decodeTensorSlice(bytes: Uint8Array): TensorSlice {
  const extents: SliceExtent[] = [];
  forEachField(bytes, (fieldNo, wireType, reader) => {
    if (fieldNo !== 1 || wireType !== WireType.LengthDelimited) return false;
    const extent = { start: 0, length: FULL_EXTENT };
    forEachField(reader.bytes(), (extentField, extentWire, extentReader) => {
      if (extentWire !== WireType.Varint) return false;
      if (extentField === 1) extent.start = toSafeNumber(extentReader.int64(), 'slice start');
      else if (extentField === 2) extent.length = toSafeNumber(extentReader.int64(), 'slice length');
      else return false;
      return true;
    });
    extents.push(extent);
    return true;
  });
  return extents;
}

export function decodeVersionDef(bytes: Uint8Array): VersionDef {
  const version: VersionDef = { producer: 0, minConsumer: 0, badConsumers: [] };
  forEachField(bytes, (fieldNo, wireType, reader) => {
    if (fieldNo === 1 && wireType === WireType.Varint) version.producer = reader.int32();
    else if (fieldNo === 2 && wireType === WireType.Varint) version.minConsumer = reader.int32();
    else if (fieldNo === 3) version.badConsumers.push(...readRepeatedVarints(wireType, reader, (r) => r.int32()));
    else return false;
    return true;
  });
  return version;
}

export function decodeBundleHeader(bytes: Uint8Array): BundleHeader {
  const header: BundleHeader = { numShards: 0, endianness: 'little', version: { producer: 0, minConsumer: 0, badConsumers: [] } };
  forEachField(bytes, (fieldNo, wireType, reader) => {
    if (fieldNo === 1 && wireType === WireType.Varint) header.numShards = reader.int32();
    else if (fieldNo === 2 && wireType === WireType.Varint) header.endianness = reader.int32() === 1 ? 'big' : 'little';
    else if (fieldNo === 3 && wireType === WireType.LengthDelimited) header.version = decodeVersionDef(reader.bytes());
    else return false;
    return true;
  });
  return header;
}

export function decodeBundleEntry(bytes: Uint8Array): BundleEntry {
  const entry: BundleEntry = { dtype: 0, shape: [], shardId: 0, offsetBytes: 0, sizeBytes: 0, maskedCrc32c: 0, slices: [] };
  forEachField(bytes, (fieldNo, wireType, reader) => {
    if (fieldNo === 1 && wireType === WireType.Varint) entry.dtype = reader.int32();
    else if (fieldNo === 2 && wireType === WireType.LengthDelimited) entry.shape = decodeTensorShape(reader.bytes());
    else if (fieldNo === 3 && wireType === WireType.Varint) entry.shardId = reader.int32();
    else if (fieldNo === 4 && wireType === WireType.Varint) entry.offsetBytes = toSafeNumber(reader.int64(), 'offset');
    else if (fieldNo === 5 && wireType === WireType.Varint) entry.sizeBytes = toSafeNumber(reader.int64(), 'size');
    else if (fieldNo === 6 && wireType === WireType.Bit32) entry.maskedCrc32c = reader.fixed32();
    else if (fieldNo === 7 && wireType === WireType.LengthDelimited) entry.slices.push(decodeTensorSlice(reader.bytes()));
    else return false;
    return true;
  });
  return entry;
}

/** Decodes a SavedTensorSlices message, the value of every key of a V1 checkpoint. */
export function decodeSavedTensorSlices(bytes: Uint8Array): { meta: SavedTensorSliceMeta | undefined; data: SavedSlice | undefined } {
  let meta: SavedTensorSliceMeta | undefined;
  let data: SavedSlice | undefined;
  forEachField(bytes, (fieldNo, wireType, reader) => {
    if (wireType !== WireType.LengthDelimited) return false;
    if (fieldNo === 1) meta = decodeSavedTensorSliceMeta(reader.bytes());
    else if (fieldNo === 2) data = decodeSavedSlice(reader.bytes());
    else return false;
    return true;
  });
  return { meta, data };
}

function decodeSavedTensorSliceMeta(bytes: Uint8Array): SavedTensorSliceMeta {
  const meta: SavedTensorSliceMeta = { tensors: [], versions: undefined };
  forEachField(bytes, (fieldNo, wireType, reader) => {
    if (wireType !== WireType.LengthDelimited) return false;
    if (fieldNo === 1) meta.tensors.push(decodeSavedSliceMeta(reader.bytes()));
    else if (fieldNo === 2) meta.versions = decodeVersionDef(reader.bytes());
    else return false;
    return true;
  });
  return meta;
}

function decodeSavedSliceMeta(bytes: Uint8Array): SavedSliceMeta {
  const meta: SavedSliceMeta = { name: '', shape: [], dtype: 0, slices: [] };
  forEachField(bytes, (fieldNo, wireType, reader) => {
    if (fieldNo === 1 && wireType === WireType.LengthDelimited) meta.name = reader.string();
    else if (fieldNo === 2 && wireType === WireType.LengthDelimited) meta.shape = decodeTensorShape(reader.bytes());
    else if (fieldNo === 3 && wireType === WireType.Varint) meta.dtype = reader.int32();
    else if (fieldNo === 4 && wireType === WireType.LengthDelimited) meta.slices.push(decodeTensorSlice(reader.bytes()));
    else return false;
    return true;
  });
  return meta;
}

function decodeSavedSlice(bytes: Uint8Array): SavedSlice {
  const saved: SavedSlice = { name: '', slice: [], data: undefined };
  forEachField(bytes, (fieldNo, wireType, reader) => {
    if (wireType !== WireType.LengthDelimited) return false;
    if (fieldNo === 1) saved.name = reader.string();
    else if (fieldNo === 2) saved.slice = decodeTensorSlice(reader.bytes());
    else if (fieldNo === 3) saved.data = decodeTensorProtoValues(reader.bytes());
    else return false;
    return true;
  });
  return saved;
}

function decodeTensorProtoValues(bytes: Uint8Array): TensorProtoValues {
  const values: TensorProtoValues = { dtype: 0, tensorContent: undefined, fixedWidthChunks: [], varints: [], stringValues: [] };
  forEachField(bytes, (fieldNo, wireType, reader) => {
    if (fieldNo === 1 && wireType === WireType.Varint) values.dtype = reader.int32();
    else if (fieldNo === 4 && wireType === WireType.LengthDelimited) values.tensorContent = reader.bytes();
    else if (fieldNo === 5 || fieldNo === 6) values.fixedWidthChunks.push(readRepeatedFixedBytes(wireType, reader, fieldNo));
    else if (fieldNo === 7 || fieldNo === 10 || fieldNo === 11) {
      for (const value of readRepeatedVarints(wireType, reader, (r) => toBigInt(r.int64()))) values.varints.push(value);
    }
    else if (fieldNo === 8 && wireType === WireType.LengthDelimited) values.stringValues.push(reader.bytes());
    else return false;
    return true;
  });
  return values;
}
