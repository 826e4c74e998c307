/** TensorFlow's DataType enum (tensorflow/core/framework/types.proto) by number, with `DataTypeString` names. */
export const DATA_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'float',
  2: 'double',
  3: 'int32',
  4: 'uint8',
  5: 'int16',
  6: 'int8',
  7: 'string',
  8: 'complex64',
  9: 'int64',
  10: 'bool',
  11: 'qint8',
  12: 'quint8',
  13: 'qint32',
  14: 'bfloat16',
  15: 'qint16',
  16: 'quint16',
  17: 'uint16',
  18: 'complex128',
  19: 'half',
  20: 'resource',
  21: 'variant',
  22: 'uint32',
  23: 'uint64',
};

/** Values of each dtype this package decodes. Strings are bytes, as TensorFlow does not fix an encoding; bools are 0 or 1. */
export interface TensorValuesByDType {
  float: Float32Array;
  double: Float64Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
  string: Uint8Array[];
}

export type CheckpointDType = keyof TensorValuesByDType;

/** DataType enum numbers of the decoded dtypes. */
export const DATA_TYPE_ENUM: Readonly<Record<CheckpointDType, number>> = { float: 1, double: 2, int32: 3, int64: 9, bool: 10, string: 7 };

/** Bytes per element of the fixed-width decoded dtypes. */
export const ELEMENT_SIZE_BYTES: Readonly<Record<Exclude<CheckpointDType, 'string'>, number>> = { float: 4, double: 8, int32: 4, int64: 8, bool: 1 };

/** A tensor with its values in row-major order. */
export type CheckpointTensor = {
  [D in CheckpointDType]: { name: string; dtype: D; shape: number[]; values: TensorValuesByDType[D] };
}[CheckpointDType];

/** What a checkpoint's index or metadata says about a tensor, without reading its values. */
export interface CheckpointTensorInfo {
  name: string;
  /** TensorFlow's name for the dtype, such as `float` or `int64`; also dtypes that `read` rejects, such as `half`. */
  dtype: string;
  shape: number[];
  numElements: number;
}

/** Returns the TensorFlow name of a DataType enum number, such as `float` for 1. */
export function dataTypeName(dataType: number): string {
  return DATA_TYPE_NAMES[dataType] ?? `DataType(${dataType})`;
}

/** Returns whether this package decodes values of the dtype called `name`. */
export function isDecodedDType(name: string): name is CheckpointDType {
  return Object.hasOwn(DATA_TYPE_ENUM, name);
}

/**
 * Returns the sum of a tensor's values as a float64 (int64 values are summed exactly, then
 * converted), or undefined for a string tensor. Bools count as 0 and 1.
 */
export function sumTensorValues(tensor: CheckpointTensor): number | undefined {
  switch (tensor.dtype) {
    case 'string':
      return undefined;
    case 'int64': {
      let total = 0n;
      for (const value of tensor.values) total += value;
      return Number(total);
    }
    default: {
      let total = 0;
      for (const value of tensor.values) total += value;
      return total;
    }
  }
}

/** Converts int64 values to numbers; throws, naming the tensor and index, when one is beyond ±2^53. */
export function int64ValuesToNumbers(tensorName: string, values: BigInt64Array): number[] {
  return Array.from(values, (value, i) => {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new RangeError(`tensor ${tensorName}: value ${value} at index ${i} is not a safe integer; read it as a bigint`);
    }
    return Number(value);
  });
}
