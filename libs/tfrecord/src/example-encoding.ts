import type { FeatureMap, FeatureValue } from './feature.js';

// Wire layout of tensorflow/core/example/{example,feature}.proto as written here:
//   Example  { Features features = 1; }
//   Features { map<string, Feature> feature = 1; }  each entry { string key = 1; Feature value = 2; }
//   Feature  { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
//   BytesList { repeated bytes value = 1; }  FloatList { repeated float value = 1 [packed]; }
//   Int64List { repeated int64 value = 1 [packed]; }
// Every field here is length-delimited (wire type 2), so its tag byte is `field << 3 | 2`.
const TAG_FIELD_1 = 0x0a;
const TAG_FIELD_2 = 0x12;
const TAG_FIELD_3 = 0x1a;
const FLOAT_SIZE_BYTES = 4;
/** Protobuf's message size limit, 2 GiB - 1. It also keeps every length below 2^32, which `varintSize` needs. */
const MAX_MESSAGE_SIZE_BYTES = 0x7fffffff;

/** Largest finite float32, (2 - 2^-23) × 2^127. */
const FLOAT32_MAX = 3.4028234663852886e38;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const utf8 = new TextEncoder();

/** Sizes and converted values of one map entry, computed before any byte is written. */
interface EntryPlan {
  key: Uint8Array;
  feature: FeatureValue;
  /** Int64 values as unsigned 64-bit integers (two's complement for negatives); empty for other kinds. */
  int64Words: (number | bigint)[];
  /** Size of the packed float or int64 values, without their tag and length. */
  packedPayloadBytes: number;
  listSizeBytes: number;
  featureSizeBytes: number;
  entrySizeBytes: number;
}

/** Bytes values at least this long are referenced by {@link encodeExampleParts} rather than copied. */
export const DEFAULT_MIN_REFERENCED_BYTES = 4096;

/**
 * Serializes a `tf.train.Example` into one buffer sized in advance, so each value is copied once.
 * The bytes equal those of protobuf-es `toBinary` for the same map (entries in the key order of
 * `features`), which copies every nested message again at each level of nesting and so runs
 * several times slower on JPEG-sized values.
 */
export function encodeExampleBytes(features: FeatureMap): Uint8Array {
  return encodeInto(features, undefined).out;
}

/**
 * Serializes a `tf.train.Example` as consecutive parts whose concatenation equals
 * {@link encodeExampleBytes}. Bytes values of at least `minReferencedBytes` are not copied: they
 * appear as parts themselves, so a writer that accepts parts passes an image to the file unchanged.
 * The parts reference the caller's arrays, which must not change until the parts are written.
 */
export function encodeExampleParts(features: FeatureMap, minReferencedBytes = DEFAULT_MIN_REFERENCED_BYTES): Uint8Array[] {
  if (!Number.isSafeInteger(minReferencedBytes) || minReferencedBytes < 1) {
    throw new RangeError(`encodeExampleParts: minReferencedBytes must be a positive integer, got ${minReferencedBytes}`);
  }
  const parts = new PartList(minReferencedBytes);
  const { out, offset } = encodeInto(features, parts);
  return parts.finish(out, offset);
}

/**
 * Parts of an encoded Example: segments of the encoder's buffer, with long bytes values
 * referenced between them.
 */
class PartList {
  private readonly parts: Uint8Array[] = [];
  private segmentStart = 0;

  constructor(readonly minReferencedBytes: number) {}

  /** Ends the current segment at `offset` of `out` and appends `value` itself as the next part. */
  reference(out: Uint8Array, offset: number, value: Uint8Array): void {
    if (offset > this.segmentStart) {
      this.parts.push(out.subarray(this.segmentStart, offset));
    }
    this.parts.push(value);
    this.segmentStart = offset;
  }

  finish(out: Uint8Array, offset: number): Uint8Array[] {
    if (offset > this.segmentStart || this.parts.length === 0) {
      this.parts.push(out.subarray(this.segmentStart, offset));
    }
    return this.parts;
  }
}

// Encodes into a buffer that leaves out the values `parts` references, and returns the buffer
// with the offset after the last byte written.
function encodeInto(features: FeatureMap, parts: PartList | undefined): { out: Uint8Array; offset: number } {
  const entries: EntryPlan[] = [];
  let featuresSizeBytes = 0;
  for (const [name, feature] of Object.entries(features)) {
    const entry = planEntry(name, feature);
    entries.push(entry);
    featuresSizeBytes += 1 + varintSize(entry.entrySizeBytes) + entry.entrySizeBytes;
  }

  if (featuresSizeBytes > MAX_MESSAGE_SIZE_BYTES) {
    throw new RangeError(`encodeExample: Example of ${featuresSizeBytes} bytes exceeds the protobuf limit of ${MAX_MESSAGE_SIZE_BYTES} bytes`);
  }

  let referencedBytes = 0;
  if (parts !== undefined) {
    for (const { feature } of entries) {
      if (feature.kind === 'bytes_list') {
        for (const value of feature.values) {
          referencedBytes += value.length >= parts.minReferencedBytes ? value.length : 0;
        }
      }
    }
  }

  const out = new Uint8Array(1 + varintSize(featuresSizeBytes) + featuresSizeBytes - referencedBytes);
  let offset = 0;
  out[offset++] = TAG_FIELD_1;
  offset = writeVarint(out, offset, featuresSizeBytes);

  for (const entry of entries) {
    out[offset++] = TAG_FIELD_1;
    offset = writeVarint(out, offset, entry.entrySizeBytes);
    out[offset++] = TAG_FIELD_1;
    offset = writeVarint(out, offset, entry.key.length);
    out.set(entry.key, offset);
    offset += entry.key.length;
    out[offset++] = TAG_FIELD_2;
    offset = writeVarint(out, offset, entry.featureSizeBytes);
    offset = writeFeature(out, offset, entry, parts);
  }
  return { out, offset };
}

function planEntry(name: string, feature: FeatureValue): EntryPlan {
  const key = utf8.encode(name);
  const int64Words: (number | bigint)[] = [];
  let packedPayloadBytes = 0;
  let listSizeBytes = 0;

  switch (feature.kind) {
    case 'bytes_list':
      for (const value of feature.values) {
        listSizeBytes += 1 + varintSize(value.length) + value.length;
      }
      break;
    case 'float_list':
      feature.values.forEach((value, i) => requireFloat32(name, i, value));
      packedPayloadBytes = feature.values.length * FLOAT_SIZE_BYTES;
      listSizeBytes = packedSize(packedPayloadBytes);
      break;
    case 'int64_list':
      feature.values.forEach((value, i) => {
        const word = toUint64Word(name, i, value);
        int64Words.push(word);
        packedPayloadBytes += typeof word === 'number' ? varintSize(word) : bigVarintSize(word);
      });
      listSizeBytes = packedSize(packedPayloadBytes);
      break;
    default:
      throw new TypeError(`feature "${name}" has unknown kind ${JSON.stringify((feature as { kind: unknown }).kind)}`);
  }

  const featureSizeBytes = 1 + varintSize(listSizeBytes) + listSizeBytes;
  const entrySizeBytes = 1 + varintSize(key.length) + key.length + 1 + varintSize(featureSizeBytes) + featureSizeBytes;
  return { key, feature, int64Words, packedPayloadBytes, listSizeBytes, featureSizeBytes, entrySizeBytes };
}

function writeFeature(out: Uint8Array, start: number, entry: EntryPlan, parts: PartList | undefined): number {
  const { feature } = entry;
  let offset = start;

  switch (feature.kind) {
    case 'bytes_list':
      out[offset++] = TAG_FIELD_1;
      offset = writeVarint(out, offset, entry.listSizeBytes);
      for (const value of feature.values) {
        out[offset++] = TAG_FIELD_1;
        offset = writeVarint(out, offset, value.length);
        if (parts !== undefined && value.length >= parts.minReferencedBytes) {
          parts.reference(out, offset, value);
        } else {
          out.set(value, offset);
          offset += value.length;
        }
      }
      return offset;

    case 'float_list': {
      out[offset++] = TAG_FIELD_2;
      offset = writeVarint(out, offset, entry.listSizeBytes);
      if (feature.values.length === 0) {
        return offset;
      }
      out[offset++] = TAG_FIELD_1;
      offset = writeVarint(out, offset, entry.packedPayloadBytes);
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      for (const value of feature.values) {
        view.setFloat32(offset, value, true);
        offset += FLOAT_SIZE_BYTES;
      }
      return offset;
    }

    case 'int64_list': {
      out[offset++] = TAG_FIELD_3;
      offset = writeVarint(out, offset, entry.listSizeBytes);
      if (entry.int64Words.length === 0) {
        return offset;
      }
      out[offset++] = TAG_FIELD_1;
      offset = writeVarint(out, offset, entry.packedPayloadBytes);
      for (const word of entry.int64Words) {
        offset = typeof word === 'number' ? writeVarint(out, offset, word) : writeBigVarint(out, offset, word);
      }
      return offset;
    }
  }
}

// A packed repeated field is omitted when empty, and is otherwise a tag, a length and the payload.
function packedSize(payloadBytes: number): number {
  return payloadBytes === 0 ? 0 : 1 + varintSize(payloadBytes) + payloadBytes;
}

// protobuf-es rejects these values too, because the conversion to float32 would round them to infinity.
function requireFloat32(name: string, index: number, value: number): void {
  if (typeof value !== 'number' || (Number.isFinite(value) && Math.abs(value) > FLOAT32_MAX)) {
    throw new RangeError(`float feature "${name}" value ${index} is ${value}, outside the float32 range`);
  }
}

/**
 * Converts an int64 value to the unsigned word that its varint encodes: a number when it is in
 * [0, 2^31), else a bigint (negative values become their 64-bit two's complement).
 */
function toUint64Word(name: string, index: number, value: number | bigint): number | bigint {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      throw new RangeError(`int64 feature "${name}" value ${index} is ${value}, which is not an integer`);
    }
    if (value >= 0 && value <= 0x7fffffff) {
      return value;
    }
  }

  const integer = BigInt(value);
  if (integer < INT64_MIN || integer > INT64_MAX) {
    throw new RangeError(`int64 feature "${name}" value ${index} is ${value}, outside the int64 range`);
  }
  return BigInt.asUintN(64, integer);
}

// Size of a varint for a value in [0, 2^32).
function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

function bigVarintSize(value: bigint): number {
  let size = 1;
  for (let rest = value >> 7n; rest > 0n; rest >>= 7n) {
    size += 1;
  }
  return size;
}

// Writes a varint for a value in [0, 2^32) and returns the offset after it.
function writeVarint(out: Uint8Array, start: number, value: number): number {
  let offset = start;
  let rest = value;
  while (rest > 0x7f) {
    out[offset++] = (rest & 0x7f) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  out[offset++] = rest;
  return offset;
}

function writeBigVarint(out: Uint8Array, start: number, value: bigint): number {
  let offset = start;
  let rest = value;
  while (rest > 0x7fn) {
    out[offset++] = Number(rest & 0x7fn) | 0x80;
    rest >>= 7n;
  }
  out[offset++] = Number(rest);
  return offset;
}
