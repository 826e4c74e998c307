import { crc32c } from '@node-rs/crc32';

/** Extends a running CRC32C (start from 0) with `bytes`, as TensorFlow's `crc32c::Extend` does. */
export function extendCrc32c(crc: number, bytes: Uint8Array): number {
  return crc32c(bytes, crc) >>> 0;
}
