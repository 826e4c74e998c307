import { decodeVarint, pushVarint, readUint64LE, type Decoded } from './coding.js';

// Facts of the LevelDB table format (leveldb doc/table_format.md), which TensorFlow's
// tensorflow/core/lib/io/table_builder.cc writes unchanged for checkpoints.

/** Magic number in the last 8 bytes of every table, stored little-endian. */
export const TABLE_MAGIC_NUMBER = 0xdb4775248b80fb57n;

/** The footer: two block handles padded to 40 bytes, then the 8-byte magic number. */
export const FOOTER_SIZE_BYTES = 48;
export const FOOTER_HANDLES_SIZE_BYTES = 40;

/** Each block is followed by a compression-type byte and the masked CRC32C of contents and that byte. */
export const BLOCK_TRAILER_SIZE_BYTES = 5;

export const NO_COMPRESSION = 0;
export const SNAPPY_COMPRESSION = 1;

/** Position of a block in the file; `sizeBytes` excludes the 5-byte trailer. */
export interface BlockHandle {
  offsetBytes: number;
  sizeBytes: number;
}

/** Decodes a block handle: two varint64s, offset then size. */
export function decodeBlockHandle(bytes: Uint8Array, offset: number): Decoded<BlockHandle> | undefined {
  const offsetField = decodeVarint(bytes, offset);
  if (offsetField === undefined) return undefined;
  const sizeField = decodeVarint(bytes, offsetField.nextOffset);
  if (sizeField === undefined) return undefined;
  return { value: { offsetBytes: offsetField.value, sizeBytes: sizeField.value }, nextOffset: sizeField.nextOffset };
}

export function encodeBlockHandle(handle: BlockHandle): number[] {
  const out: number[] = [];
  pushVarint(out, handle.offsetBytes);
  pushVarint(out, handle.sizeBytes);
  return out;
}

/** Returns whether the last 8 bytes of `footer` contain the table magic number. */
export function hasTableMagic(footer: Uint8Array): boolean {
  return footer.length >= 8 && readUint64LE(footer, footer.length - 8) === TABLE_MAGIC_NUMBER;
}
