import { copyBytes } from './sstable/coding.js';
import type { CheckpointDType, TensorValuesByDType } from './tensor.js';

export type FixedWidthDType = Exclude<CheckpointDType, 'string'>;

const PLATFORM_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes packed fixed-width values (V2 data bytes, or the contents of a TensorProto's
 * tensor_content or packed float_val/double_val). The values are copied, so the result does not
 * keep `bytes`' buffer alive and is aligned for its typed array.
 */
export function decodeFixedWidthValues<D extends FixedWidthDType>(dtype: D, bytes: Uint8Array, littleEndian: boolean): TensorValuesByDType[D] {
  const values = decodeFixedWidth(dtype, bytes, littleEndian);
  return values as TensorValuesByDType[D];
}

function decodeFixedWidth(dtype: FixedWidthDType, bytes: Uint8Array, littleEndian: boolean): TensorValuesByDType[FixedWidthDType] {
  if (dtype === 'bool') return copyBytes(bytes);
  if (littleEndian === PLATFORM_IS_LITTLE_ENDIAN) {
    const copy = copyBytes(bytes).buffer;
    switch (dtype) {
      case 'float':
        return new Float32Array(copy);
      case 'double':
        return new Float64Array(copy);
      case 'int32':
        return new Int32Array(copy);
      case 'int64':
        return new BigInt64Array(copy);
    }
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float':
      return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(4 * i, littleEndian));
    case 'double':
      return Float64Array.from({ length: bytes.length / 8 }, (_, i) => view.getFloat64(8 * i, littleEndian));
    case 'int32':
      return Int32Array.from({ length: bytes.length / 4 }, (_, i) => view.getInt32(4 * i, littleEndian));
    case 'int64':
      return BigInt64Array.from({ length: bytes.length / 8 }, (_, i) => view.getBigInt64(8 * i, littleEndian));
  }
}

/** Encodes fixed-width values as little-endian bytes, the layout of V2 data files and tensor_content. */
export function encodeFixedWidthValues(values: TensorValuesByDType[FixedWidthDType]): Uint8Array {
  if (!PLATFORM_IS_LITTLE_ENDIAN) throw new Error('encodeFixedWidthValues: big-endian platforms are not supported');
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
