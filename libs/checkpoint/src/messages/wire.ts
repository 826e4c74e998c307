import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/**
 * Calls `visit` for each field of an encoded message; a field that `visit` does not consume
 * (returns false) is skipped. Throws the reader's error on malformed bytes.
 */
export function forEachField(bytes: Uint8Array, visit: (fieldNo: number, wireType: WireType, reader: BinaryReader) => boolean): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (!visit(fieldNo, wireType, reader)) reader.skip(wireType, fieldNo);
  }
}

/**
 * Reads a repeated varint field in either encoding: packed (one length-delimited run) or one
 * value per tag. Returns the values read at this tag.
 */
export function readRepeatedVarints<T>(wireType: WireType, reader: BinaryReader, readOne: (reader: BinaryReader) => T): T[] {
  if (wireType !== WireType.LengthDelimited) return [readOne(reader)];
  const packed = new BinaryReader(reader.bytes());
  const values: T[] = [];
  while (packed.pos < packed.len) values.push(readOne(packed));
  return values;
}

/**
 * Returns the little-endian bytes of a repeated fixed-width field (float, double) at this tag:
 * the packed run, or the single value's bytes.
 */
export function readRepeatedFixedBytes(wireType: WireType, reader: BinaryReader, fieldNo: number): Uint8Array {
  return wireType === WireType.LengthDelimited ? reader.bytes() : reader.skip(wireType, fieldNo);
}

export function toBigInt(value: bigint | string): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

/** Converts an int64 field to a number; offsets, sizes and dimensions of readable files fit. */
export function toSafeNumber(value: bigint | string, what: string): number {
  const big = toBigInt(value);
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${what} ${big} is beyond ±2^53`);
  }
  return Number(big);
}
