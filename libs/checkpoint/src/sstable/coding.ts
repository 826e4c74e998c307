/** Integer codings of the LevelDB table format: little-endian fixed-width integers and base-128 varints. */

/** Result of decoding a value that starts at some offset: the value and the offset after it. */
export interface Decoded<T> {
  value: T;
  nextOffset: number;
}

/**
 * Decodes an unsigned varint of at most `maxBytes` bytes (5 for varint32, 10 for varint64) as a
 * number. Returns undefined when the bytes end inside it, it is longer than `maxBytes`, or its value
 * exceeds Number.MAX_SAFE_INTEGER, which no block offset or length in a readable file does.
 */
export function decodeVarint(bytes: Uint8Array, offset: number, maxBytes = 10): Decoded<number> | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < maxBytes && offset + i < bytes.length; i++) {
    const byte = bytes[offset + i];
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      return Number.isSafeInteger(value) ? { value, nextOffset: offset + i + 1 } : undefined;
    }
    scale *= 128;
  }
  return undefined;
}

/** Appends the varint encoding of a non-negative safe integer to `out`. */
export function pushVarint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`varint value ${value} is invalid. It must be a non-negative safe integer`);
  }
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

export function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

export function writeUint32LE(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

export function readUint64LE(bytes: Uint8Array, offset: number): bigint {
  return BigInt(readUint32LE(bytes, offset)) | (BigInt(readUint32LE(bytes, offset + 4)) << 32n);
}

export function writeUint64LE(bytes: Uint8Array, offset: number, value: bigint): void {
  writeUint32LE(bytes, offset, Number(value & 0xffffffffn));
  writeUint32LE(bytes, offset + 4, Number((value >> 32n) & 0xffffffffn));
}

/** Orders byte strings the way LevelDB's default comparator does: bytewise, shorter first on a tie. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Copies bytes into a new Uint8Array that owns its whole buffer. Node's `Buffer#slice` returns a
 * view, often into a shared pool, so `slice()` cannot be relied on to copy.
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const copy = new Uint8Array(end - start);
  copy.set(bytes.subarray(start, end));
  return copy;
}
