import { describe, expect, it } from 'vitest';

import { crc32cOf, maskCrc32c, maskedCrc32c, unmaskCrc32c } from './crc.js';
import { decodeRecordHeader, encodeRecord, encodeRecordHeader } from './framing.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('crc32c', () => {
  it('matches the CRC-32C check value', () => {
    expect(crc32cOf(ascii('123456789'))).toBe(0xe3069283);
  });

  it('returns an unsigned value', () => {
    expect(crc32cOf(ascii('123456789'))).toBeGreaterThan(0);
  });
});

describe('maskCrc32c', () => {
  it('round-trips through unmaskCrc32c', () => {
    for (const crc of [0, 1, 0xe3069283, 0xffffffff, 0x80000000, 0x12345678]) {
      expect(unmaskCrc32c(maskCrc32c(crc)), `crc 0x${crc.toString(16)}`).toBe(crc);
    }
  });

  it('differs from the raw CRC', () => {
    expect(maskedCrc32c(ascii('123456789'))).not.toBe(0xe3069283);
  });
});

describe('encodeRecord', () => {
  it('frames an empty payload', () => {
    expect(hex(encodeRecord(new Uint8Array(0)))).toBe('0000000000000000' + '29039807' + 'd8ea82a2');
  });

  it('frames the payload abc', () => {
    expect(hex(encodeRecord(ascii('abc')))).toBe('0300000000000000' + 'b099490e' + '616263' + '6e57f121');
  });
});

describe('decodeRecordHeader', () => {
  it('reads back the encoded length', () => {
    expect(decodeRecordHeader(encodeRecordHeader(123_456)).dataSizeBytes).toBe(123_456);
  });

  it('reads a length above 2^32', () => {
    expect(decodeRecordHeader(encodeRecordHeader(2 ** 40 + 5)).dataSizeBytes).toBe(2 ** 40 + 5);
  });

  it('accepts its own length CRC', () => {
    const header = decodeRecordHeader(encodeRecordHeader(77));
    expect(header.storedLengthCrc).toBe(header.computedLengthCrc);
  });

  it('detects a changed length byte', () => {
    const bytes = encodeRecordHeader(77);
    bytes[0] ^= 0x01;
    const header = decodeRecordHeader(bytes);
    expect(header.storedLengthCrc).not.toBe(header.computedLengthCrc);
  });
});
