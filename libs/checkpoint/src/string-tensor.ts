import { formatCrc, maskCrc32c, unmaskCrc32c } from '@inception/tfrecord';

import type { TensorLocation } from './assemble.js';
import { extendCrc32c } from './crc.js';
import { CheckpointError } from './errors.js';
import { copyBytes, decodeVarint, pushVarint } from './sstable/coding.js';

// Layout of a string tensor in a V2 data file (tensorflow/core/util/tensor_bundle/tensor_bundle.cc):
// a varint64 length per element, the masked CRC32C of those lengths as a 4-byte integer, then the
// bytes of every element. The lengths' CRC covers each length as a 4-byte integer (8 bytes when
// above 2^32 - 1), not its varint. The entry's CRC32C covers the same length integers, the 4
// stored CRC bytes and the element bytes. Integers use the byte order of the writing machine.

const UINT32_MAX = 0xffff_ffff;

/** Returns the bytes over which a string length enters the CRCs. */
function lengthCrcBytes(length: number, littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(length <= UINT32_MAX ? 4 : 8);
  const view = new DataView(bytes.buffer);
  if (length <= UINT32_MAX) view.setUint32(0, length, littleEndian);
  else view.setBigUint64(0, BigInt(length), littleEndian);
  return bytes;
}

/**
 * Decodes a V2 string tensor of `count` elements and checks the CRC of its lengths.
 * Returns the elements and the CRC32C (unmasked) over the whole encoding, for the caller to
 * compare with the entry's.
 */
export function decodeStringTensor(bytes: Uint8Array, count: number, littleEndian: boolean, location: TensorLocation): { values: Uint8Array[]; crc32c: number } {
  const fail = (check: 'corrupt' | 'string-lengths-crc', detail: string): CheckpointError => new CheckpointError({ ...location, check, detail });
  // TensorFlow's reader accepts an empty entry as all-empty strings; its writer never produces one.
  if (bytes.length === 0) return { values: Array.from({ length: count }, () => new Uint8Array(0)), crc32c: 0 };

  const lengths: number[] = [];
  let crc = 0;
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const length = decodeVarint(bytes, offset);
    if (length === undefined) throw fail('corrupt', `the length of string ${i} does not decode`);
    lengths.push(length.value);
    crc = extendCrc32c(crc, lengthCrcBytes(length.value, littleEndian));
    offset = length.nextOffset;
  }

  if (offset + 4 > bytes.length) throw fail('corrupt', 'the string lengths run past the entry');
  const storedBytes = bytes.subarray(offset, offset + 4);
  const storedMasked = new DataView(storedBytes.buffer, storedBytes.byteOffset, 4).getUint32(0, littleEndian);
  if (unmaskCrc32c(storedMasked) !== crc) {
    throw fail('string-lengths-crc', `CRC32C of the string lengths mismatch (stored ${formatCrc(unmaskCrc32c(storedMasked))}, computed ${formatCrc(crc)})`);
  }
  crc = extendCrc32c(crc, storedBytes);
  offset += 4;

  const values: Uint8Array[] = [];
  for (const length of lengths) {
    if (offset + length > bytes.length) throw fail('corrupt', `string ${values.length} of ${length} bytes runs past the entry`);
    const value = copyBytes(bytes, offset, offset + length);
    crc = extendCrc32c(crc, value);
    values.push(value);
    offset += length;
  }
  if (offset !== bytes.length) throw fail('corrupt', `the entry has ${bytes.length - offset} bytes after its last string`);
  return { values, crc32c: crc };
}

/** Encodes a string tensor for a little-endian V2 data file; returns the bytes and the entry's masked CRC32C. */
export function encodeStringTensor(values: readonly Uint8Array[]): { bytes: Uint8Array; maskedCrc32c: number } {
  const header: number[] = [];
  let crc = 0;
  for (const value of values) {
    pushVarint(header, value.length);
    crc = extendCrc32c(crc, lengthCrcBytes(value.length, true));
  }
  const lengthsCrc = new Uint8Array(4);
  new DataView(lengthsCrc.buffer).setUint32(0, maskCrc32c(crc), true);
  crc = extendCrc32c(crc, lengthsCrc);

  const parts = [Uint8Array.from(header), lengthsCrc, ...values];
  for (const value of values) crc = extendCrc32c(crc, value);
  const bytes = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return { bytes, maskedCrc32c: maskCrc32c(crc) };
}
