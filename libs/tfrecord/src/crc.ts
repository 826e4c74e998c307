import { crc32c } from '@node-rs/crc32';

/**
 * Delta added to a rotated CRC32C before it is stored in a TFRecord (TensorFlow's `kMaskDelta`).
 * Masking keeps the CRC of data that itself contains CRCs from being trivially predictable.
 */
export const CRC32C_MASK_DELTA = 0xa282ead8;

/** Computes the CRC32C (Castagnoli) of `bytes` as an unsigned 32-bit integer. */
export function crc32cOf(bytes: Uint8Array): number {
  return crc32c(bytes) >>> 0;
}

/** Computes the CRC32C of the concatenation of `parts`, without concatenating them. */
export function crc32cOfParts(parts: readonly Uint8Array[]): number {
  let crc = 0;
  for (const part of parts) {
    crc = crc32c(part, crc);
  }
  return crc >>> 0;
}

/** Masks a CRC32C as TFRecord stores it: rotate right by 15 bits, then add the mask delta. */
export function maskCrc32c(crc: number): number {
  const rotated = ((crc >>> 15) | (crc << 17)) >>> 0;
  return (rotated + CRC32C_MASK_DELTA) >>> 0;
}

/** Inverts {@link maskCrc32c}: subtract the mask delta, then rotate left by 15 bits. */
export function unmaskCrc32c(maskedCrc: number): number {
  const rotated = (maskedCrc - CRC32C_MASK_DELTA) >>> 0;
  return ((rotated >>> 17) | (rotated << 15)) >>> 0;
}

/** Computes the masked CRC32C of `bytes`, the value a TFRecord stores after its length and its data. */
export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc32c(crc32cOf(bytes));
}

/** Formats a 32-bit CRC as `0x` and eight hex digits, the form used in error messages. */
export function formatCrc(crc: number): string {
  return `0x${crc.toString(16).padStart(8, '0')}`;
}
