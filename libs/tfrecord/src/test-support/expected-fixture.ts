import { createHash } from 'node:crypto';

// Shape of the `<fixture>.expected.json` files that describe the shared TFRecord fixtures.

export interface ExpectedRecordLocation {
  offset: number;
  /** Data length, without the 16 bytes of framing. */
  length: number;
  sha256: string;
}

export interface ExpectedBytesValue {
  text?: string;
  length?: number;
  sha256?: string;
}

export interface ExpectedFeature {
  kind: 'bytes_list' | 'float_list' | 'int64_list';
  count: number;
  values: (number | ExpectedBytesValue)[];
  /** Float64 sum of the values, rounded to 9 significant digits. */
  sum?: number;
}

export interface ExpectedTFRecordFile {
  file: string;
  compression: 'NONE' | 'GZIP' | 'ZLIB';
  uncompressed_size: number;
  num_records: number;
  records_index: ExpectedRecordLocation[];
  feature_keys: Record<string, string[]>;
  records: { index: number; features: Record<string, ExpectedFeature> }[];
}

export interface ExpectedDamagedFile {
  file: string;
  size: number;
  expected_reader_outcome: string;
  reference_decoder_error: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Tolerance for float values and sums printed with 9 significant digits. */
export function floatTolerance(expected: number): number {
  return 1e-7 * Math.max(1, Math.abs(expected));
}

/** Collects an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    out.push(item);
  }
  return out;
}

/** Splits `bytes` into chunks of pseudo-random sizes from 1 to `maxChunkBytes`, deterministic per seed. */
export async function* chunked(bytes: Uint8Array, maxChunkBytes: number, seed = 1): AsyncGenerator<Uint8Array> {
  let state = seed;
  let position = 0;
  while (position < bytes.length) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const size = 1 + (state % maxChunkBytes);
    yield bytes.subarray(position, position + size);
    position += size;
  }
}
