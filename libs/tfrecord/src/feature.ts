import { create } from '@bufbuild/protobuf';
import { tensorflow } from '@inception/proto';

/**
 * Value of one `tf.train.Feature`. Int64 values decode as `number` when they are safe integers
 * and as `bigint` otherwise. Float values are float32 on the wire, so encoding rounds them.
 */
export type FeatureValue =
  | { kind: 'bytes_list'; values: Uint8Array[] }
  | { kind: 'float_list'; values: number[] }
  | { kind: 'int64_list'; values: (number | bigint)[] };

/** Features of an Example by name, the `tf.train.Features` map. */
export type FeatureMap = Record<string, FeatureValue>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const utf8 = new TextEncoder();

/** Builds a `bytes_list` feature. Strings are stored as UTF-8, as `tf.compat.as_bytes` does. */
export function bytesFeature(...values: (Uint8Array | string)[]): FeatureValue {
  return { kind: 'bytes_list', values: values.map((value) => (typeof value === 'string' ? utf8.encode(value) : value)) };
}

/** Builds an `int64_list` feature. */
export function int64Feature(...values: (number | bigint)[]): FeatureValue {
  return { kind: 'int64_list', values };
}

/** Builds a `float_list` feature. */
export function floatFeature(...values: number[]): FeatureValue {
  return { kind: 'float_list', values };
}

/** Converts a feature to its protobuf message, rejecting int64 values that are not 64-bit integers. */
export function toFeatureMessage(name: string, feature: FeatureValue): tensorflow.Feature {
  switch (feature.kind) {
    case 'bytes_list':
      return create(tensorflow.FeatureSchema, {
        kind: { case: 'bytesList', value: { value: feature.values } },
      });
    case 'float_list':
      return create(tensorflow.FeatureSchema, {
        kind: { case: 'floatList', value: { value: feature.values } },
      });
    case 'int64_list':
      return create(tensorflow.FeatureSchema, {
        kind: { case: 'int64List', value: { value: feature.values.map((value, i) => toInt64(name, i, value)) } },
      });
    default:
      throw new TypeError(`feature "${name}" has unknown kind ${JSON.stringify((feature as { kind: unknown }).kind)}`);
  }
}

/**
 * Converts a protobuf feature to a {@link FeatureValue}. Throws when the feature has no list set,
 * because such a feature has no kind to report.
 */
export function fromFeatureMessage(name: string, feature: tensorflow.Feature): FeatureValue {
  switch (feature.kind.case) {
    case 'bytesList':
      return { kind: 'bytes_list', values: feature.kind.value.value };
    case 'floatList':
      return { kind: 'float_list', values: feature.kind.value.value };
    case 'int64List':
      return { kind: 'int64_list', values: feature.kind.value.value.map(fromInt64) };
    default:
      throw new Error(`feature "${name}" has none of bytes_list, float_list or int64_list set`);
  }
}

/** Converts a feature map to a `tf.train.Features` message. */
export function toFeaturesMessage(features: FeatureMap): tensorflow.Features {
  const feature: Record<string, tensorflow.Feature> = {};
  for (const [name, value] of Object.entries(features)) {
    feature[name] = toFeatureMessage(name, value);
  }
  return create(tensorflow.FeaturesSchema, { feature });
}

/** Converts a `tf.train.Features` message to a feature map. */
export function fromFeaturesMessage(features: tensorflow.Features | undefined): FeatureMap {
  const map: FeatureMap = {};
  for (const [name, feature] of Object.entries(features?.feature ?? {})) {
    map[name] = fromFeatureMessage(name, feature);
  }
  return map;
}

function toInt64(name: string, index: number, value: number | bigint): bigint {
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new RangeError(`int64 feature "${name}" value ${index} is ${value}, which is not an integer`);
  }
  const integer = BigInt(value);
  if (integer < INT64_MIN || integer > INT64_MAX) {
    throw new RangeError(`int64 feature "${name}" value ${index} is ${value}, outside the int64 range`);
  }
  return integer;
}

function fromInt64(value: bigint): number | bigint {
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value;
}
