import { crc32cOfParts, formatCrc, maskCrc32c, maskedCrc32c } from './crc.js';

// A TFRecord file is a plain concatenation of records with no file header and no padding.
// Each record is: uint64 data length (little-endian), uint32 masked CRC32C of those 8 bytes,
// the data, and uint32 masked CRC32C of the data, all integers little-endian.

/** Size of the length field. */
export const LENGTH_SIZE_BYTES = 8;

/** Size of the record header: the length and its masked CRC. */
export const HEADER_SIZE_BYTES = 12;

/** Size of the record footer: the masked CRC of the data. */
export const FOOTER_SIZE_BYTES = 4;

/** Bytes that framing adds to each record's data. */
export const RECORD_OVERHEAD_BYTES = HEADER_SIZE_BYTES + FOOTER_SIZE_BYTES;

/** Decoded record header. `dataSizeBytes` exceeds `Number.MAX_SAFE_INTEGER` only for damaged input. */
export interface RecordHeader {
  dataSizeBytes: number;
  storedLengthCrc: number;
  computedLengthCrc: number;
}

/** Encodes the 12-byte header that precedes `dataSizeBytes` bytes of record data. */
export function encodeRecordHeader(dataSizeBytes: number): Uint8Array {
  if (!Number.isSafeInteger(dataSizeBytes) || dataSizeBytes < 0) {
    throw new RangeError(`TFRecord data size must be a non-negative safe integer, got ${dataSizeBytes}`);
  }

  const header = new Uint8Array(HEADER_SIZE_BYTES);
  const view = new DataView(header.buffer);
  view.setUint32(0, dataSizeBytes % 2 ** 32, true);
  view.setUint32(4, Math.floor(dataSizeBytes / 2 ** 32), true);
  view.setUint32(LENGTH_SIZE_BYTES, maskedCrc32c(header.subarray(0, LENGTH_SIZE_BYTES)), true);
  return header;
}

/** Encodes the 4-byte footer that follows `data`, given whole or as consecutive parts. */
export function encodeRecordFooter(data: Uint8Array | readonly Uint8Array[]): Uint8Array {
  const maskedCrc = data instanceof Uint8Array ? maskedCrc32c(data) : maskCrc32c(crc32cOfParts(data));
  const footer = new Uint8Array(FOOTER_SIZE_BYTES);
  new DataView(footer.buffer).setUint32(0, maskedCrc, true);
  return footer;
}

/** Frames `data` as one complete record (header, data, footer) in a new array. */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const record = new Uint8Array(RECORD_OVERHEAD_BYTES + data.length);
  record.set(encodeRecordHeader(data.length), 0);
  record.set(data, HEADER_SIZE_BYTES);
  record.set(encodeRecordFooter(data), HEADER_SIZE_BYTES + data.length);
  return record;
}

/**
 * Decodes a 12-byte record header without checking it, so the caller decides what a CRC
 * mismatch means. A length above 2^53 loses precision, which is harmless because such a
 * length can never be satisfied and is rejected as truncated or damaged.
 */
export function decodeRecordHeader(header: Uint8Array): RecordHeader {
  if (header.length !== HEADER_SIZE_BYTES) {
    throw new RangeError(`TFRecord header must be ${HEADER_SIZE_BYTES} bytes, got ${header.length}`);
  }

  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const dataSizeBytes = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  return {
    dataSizeBytes,
    storedLengthCrc: view.getUint32(LENGTH_SIZE_BYTES, true),
    computedLengthCrc: maskedCrc32c(header.subarray(0, LENGTH_SIZE_BYTES)),
  };
}

/** Reads the stored masked CRC from a 4-byte footer. */
export function decodeRecordFooter(footer: Uint8Array): number {
  if (footer.length !== FOOTER_SIZE_BYTES) {
    throw new RangeError(`TFRecord footer must be ${FOOTER_SIZE_BYTES} bytes, got ${footer.length}`);
  }
  return new DataView(footer.buffer, footer.byteOffset, footer.byteLength).getUint32(0, true);
}

/** Returns whether `bytes` starts with a record header whose length CRC is valid. */
export function startsWithValidHeader(bytes: Uint8Array): boolean {
  if (bytes.length < HEADER_SIZE_BYTES) {
    return false;
  }
  const header = decodeRecordHeader(bytes.subarray(0, HEADER_SIZE_BYTES));
  return header.storedLengthCrc === header.computedLengthCrc;
}

/** Describes a CRC mismatch for error messages. */
export function describeCrcMismatch(field: 'length' | 'data', stored: number, computed: number): string {
  return `${field} CRC mismatch (stored ${formatCrc(stored)}, computed ${formatCrc(computed)})`;
}
