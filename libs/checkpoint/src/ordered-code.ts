import { CheckpointError } from './errors.js';
import type { TensorSlice } from './slices.js';

// TensorFlow's OrderedCode (tensorflow/core/lib/strings/ordered_code.cc) encodes values so that
// bytewise order of the encodings matches the order of the values. Sliced tensors are stored
// under such keys: see encodeTensorNameSlice.

/** Appends an unsigned number: one byte with the count of value bytes, then the value big-endian without leading zeros. */
export function writeNumIncreasing(out: number[], value: number): void {
  const bytes: number[] = [];
  for (let rest = BigInt(value); rest > 0n; rest >>= 8n) bytes.unshift(Number(rest & 0xffn));
  out.push(bytes.length, ...bytes);
}

/** Appends a byte string with 0x00 escaped as 00 ff and 0xff as ff 00, then the separator 00 01. */
export function writeString(out: number[], bytes: Uint8Array): void {
  for (const byte of bytes) {
    if (byte === 0x00) out.push(0x00, 0xff);
    else if (byte === 0xff) out.push(0xff, 0x00);
    else out.push(byte);
  }
  out.push(0x00, 0x01);
}

/**
 * Appends a signed number in L bytes (1 to 10): the two's complement value in 8L bits, with the
 * top bits replaced by a header. For a non-negative value the header is L one-bits then a zero
 * (the sign bit); a negative value has the inverted header. L bytes encode [-2^(7L-1), 2^(7L-1)) for
 * L up to 9, and L = 10 encodes every int64.
 */
export function writeSignedNumIncreasing(out: number[], value: number | bigint): void {
  const big = BigInt(value);
  let length = 1;
  while (length < 10 && !(big >= -(1n << BigInt(7 * length - 1)) && big < 1n << BigInt(7 * length - 1))) length++;

  const bytes: number[] = [];
  let twosComplement = BigInt.asUintN(8 * length, big);
  for (let i = 0; i < length; i++) {
    bytes.unshift(Number(twosComplement & 0xffn));
    twosComplement >>= 8n;
  }
  const header = headerBits(length);
  bytes[0] ^= header[0];
  if (length > 1) bytes[1] ^= header[1];
  out.push(...bytes);
}

/** The header of an L-byte signed number: L one-bits across the first two bytes. */
function headerBits(length: number): [number, number] {
  const ones = (1n << BigInt(length)) - 1n;
  const bits = ones << BigInt(16 - length);
  return [Number(bits >> 8n) & 0xff, Number(bits & 0xffn)];
}

/** Reads OrderedCode values from the front of a key, failing with the key's file in the error. */
export class OrderedCodeReader {
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly fileName: string,
  ) {}

  get isAtEnd(): boolean {
    return this.offset === this.bytes.length;
  }

  readNumIncreasing(): number {
    const length = this.bytes[this.offset];
    if (length === undefined || length > 8 || this.offset + 1 + length > this.bytes.length) throw this.fail('unsigned number');
    let value = 0n;
    for (let i = 0; i < length; i++) value = (value << 8n) | BigInt(this.bytes[this.offset + 1 + i]);
    this.offset += 1 + length;
    return this.toSafeNumber(value);
  }

  readString(): Uint8Array {
    const out: number[] = [];
    while (this.offset + 1 < this.bytes.length) {
      const byte = this.bytes[this.offset];
      const next = this.bytes[this.offset + 1];
      if (byte === 0x00 && next === 0x01) {
        this.offset += 2;
        return Uint8Array.from(out);
      }
      if (byte === 0x00 || byte === 0xff) {
        if (next !== (byte === 0x00 ? 0xff : 0x00)) throw this.fail('string escape');
        out.push(byte);
        this.offset += 2;
      } else {
        out.push(byte);
        this.offset += 1;
      }
    }
    throw this.fail('string terminator');
  }

  readSignedNumIncreasing(): number {
    const first = this.bytes[this.offset];
    if (first === undefined) throw this.fail('signed number');
    const negative = (first & 0x80) === 0;
    const invert = negative ? 0xff : 0x00;

    // Count the header's one-bits (zero-bits for a negative number) over the first two bytes.
    const leading = (((first ^ invert) << 8) | ((this.bytes[this.offset + 1] ?? invert) ^ invert)) & 0xffff;
    let length = 0;
    while (length < 16 && (leading & (0x8000 >> length)) !== 0) length++;
    if (length === 0 || length > 10 || this.offset + length > this.bytes.length) throw this.fail('signed number');

    const header = headerBits(length);
    let value = 0n;
    for (let i = 0; i < length; i++) {
      let byte = this.bytes[this.offset + i];
      if (i < 2) byte ^= header[i];
      value = (value << 8n) | BigInt(byte);
    }
    this.offset += length;
    return this.toSafeNumber(BigInt.asIntN(8 * length, value));
  }

  private toSafeNumber(value: bigint): number {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw this.fail('number within ±2^53');
    return Number(value);
  }

  private fail(expected: string): CheckpointError {
    const hex = Buffer.from(this.bytes).toString('hex');
    return new CheckpointError({ fileName: this.fileName, check: 'corrupt', detail: `key ${hex}: expected an ordered-code ${expected} at byte ${this.offset}` });
  }
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Builds the key of one slice of a tensor, as TensorFlow's `EncodeTensorNameSlice` does: the
 * number 0 (so these keys sort after the "" metadata key and before any tensor name), the name,
 * the rank, then each extent's start and length, with -1 as the length of a full extent.
 */
export function encodeTensorNameSlice(name: string, slice: TensorSlice): Uint8Array {
  const out: number[] = [];
  writeNumIncreasing(out, 0);
  writeString(out, utf8.encode(name));
  writeNumIncreasing(out, slice.length);
  for (const extent of slice) {
    writeSignedNumIncreasing(out, extent.start);
    writeSignedNumIncreasing(out, extent.length);
  }
  return Uint8Array.from(out);
}

/** Inverts {@link encodeTensorNameSlice}. */
export function decodeTensorNameSlice(key: Uint8Array, fileName: string): { name: string; slice: TensorSlice } {
  const reader = new OrderedCodeReader(key, fileName);
  if (reader.readNumIncreasing() !== 0) {
    throw new CheckpointError({ fileName, check: 'corrupt', detail: `key ${Buffer.from(key).toString('hex')} does not start with the slice-key marker 0` });
  }
  const name = utf8Decoder.decode(reader.readString());
  const rank = reader.readNumIncreasing();
  const slice = Array.from({ length: rank }, () => ({ start: reader.readSignedNumIncreasing(), length: reader.readSignedNumIncreasing() }));
  if (!reader.isAtEnd) {
    throw new CheckpointError({ fileName, check: 'corrupt', detail: `key ${Buffer.from(key).toString('hex')} has bytes after its last extent` });
  }
  return { name, slice };
}
