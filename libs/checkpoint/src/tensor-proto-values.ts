import type { TensorLocation } from './assemble.js';
import { CheckpointError } from './errors.js';
import type { TensorProtoValues } from './messages/decode.js';
import { concatBytes, copyBytes } from './sstable/coding.js';
import { ELEMENT_SIZE_BYTES, type CheckpointDType, type TensorValuesByDType } from './tensor.js';
import { decodeFixedWidthValues } from './values.js';

/**
 * Decodes the values of a V1 SavedSlice's TensorProto as `dtype`. TensorFlow's V1 writer fills
 * the typed repeated field of the dtype: float_val, double_val, int_val, int64_val, bool_val or
 * string_val. This reader also accepts tensor_content, the raw little-endian bytes.
 * Throws when the proto contains other than `count` values.
 */
export function decodeTensorProtoValues<D extends CheckpointDType>(
  dtype: D,
  proto: TensorProtoValues,
  count: number,
  location: TensorLocation,
): TensorValuesByDType[D] {
  const content = proto.tensorContent;
  if (dtype !== 'string' && content !== undefined && content.length % ELEMENT_SIZE_BYTES[dtype as Exclude<D, 'string'>] !== 0) {
    throw new CheckpointError({ ...location, check: 'corrupt', detail: `tensor_content of ${content.length} bytes is not a whole number of ${dtype} values` });
  }
  const values = decodeAny(dtype, proto);
  if (values.length !== count) {
    throw new CheckpointError({ ...location, check: 'corrupt', detail: `the saved slice contains ${values.length} ${dtype} values, expected ${count}` });
  }
  return values as TensorValuesByDType[D];
}

function decodeAny(dtype: CheckpointDType, proto: TensorProtoValues): TensorValuesByDType[CheckpointDType] {
  // Copies, so the strings do not keep the (decompressed) block alive and are plain Uint8Arrays.
  if (dtype === 'string') return proto.stringValues.map((value) => copyBytes(value));
  if (proto.tensorContent !== undefined) return decodeFixedWidthValues(dtype, proto.tensorContent, true);

  switch (dtype) {
    case 'float':
    case 'double':
      return decodeFixedWidthValues(dtype, concatBytes(proto.fixedWidthChunks), true);
    case 'int32':
      return Int32Array.from(proto.varints, (value) => Number(BigInt.asIntN(32, value)));
    case 'int64':
      return BigInt64Array.from(proto.varints);
    case 'bool':
      return Uint8Array.from(proto.varints, (value) => (value === 0n ? 0 : 1));
  }
}
