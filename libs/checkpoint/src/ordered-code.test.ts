import { readExpected } from '@inception/testing';
import { describe, expect, it } from 'vitest';

import { decodeTensorNameSlice, encodeTensorNameSlice, OrderedCodeReader, writeSignedNumIncreasing } from './ordered-code.js';
import { fullSlice } from './slices.js';
import { compareBytes } from './sstable/coding.js';

const V1_FIXTURE = 'tensorflow/ckpt_v1_tfprof/ckpt';

interface ExpectedV1Keys {
  raw_keys_hex: string[];
  tensors: Record<string, { shape: number[] }>;
}

/** Numbers around every length boundary of the signed encoding, and the int64-safe extremes. */
const SIGNED_SAMPLES = [
  ...[6, 13, 20, 27, 34, 41, 48, 52].flatMap((bits) => [2 ** bits - 1, 2 ** bits, -(2 ** bits), -(2 ** bits) - 1]),
  0,
  1,
  -1,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
].sort((a, b) => a - b);

function encodeSigned(value: number): Uint8Array {
  const out: number[] = [];
  writeSignedNumIncreasing(out, value);
  return Uint8Array.from(out);
}

describe('encodeTensorNameSlice', () => {
  const expected = readExpected<ExpectedV1Keys>(V1_FIXTURE);
  const dataKeys = expected.raw_keys_hex.filter((hex) => hex !== '');

  it('reproduces the keys TensorFlow wrote', () => {
    const names = Object.keys(expected.tensors).sort();

    const keys = names.map((name) => Buffer.from(encodeTensorNameSlice(name, fullSlice(expected.tensors[name].shape.length))).toString('hex'));

    expect(keys).toEqual(dataKeys);
  });

  it('decodes the keys TensorFlow wrote', () => {
    const decoded = dataKeys.map((hex) => decodeTensorNameSlice(Buffer.from(hex, 'hex'), 'ckpt'));

    expect(decoded.map(({ name }) => name)).toEqual(Object.keys(expected.tensors).sort());
    expect(decoded.map(({ slice }) => slice)).toEqual(decoded.map(({ name }) => fullSlice(expected.tensors[name].shape.length)));
  });

  it('round-trips names with escaped bytes', () => {
    const name = 'scope\u0000with\u00ffbytes/weights';
    const slice = [{ start: 3, length: 5 }, { start: 0, length: -1 }];

    expect(decodeTensorNameSlice(encodeTensorNameSlice(name, slice), 'test')).toEqual({ name, slice });
  });
});

describe('signed ordered code', () => {
  it('encodes 0 and -1 in one byte', () => {
    expect([...encodeSigned(0), ...encodeSigned(-1)]).toEqual([0x80, 0x7f]);
  });

  it.each(SIGNED_SAMPLES)('round-trips %d', (value) => {
    const reader = new OrderedCodeReader(encodeSigned(value), 'test');

    expect(reader.readSignedNumIncreasing()).toBe(value);
    expect(reader.isAtEnd).toBe(true);
  });

  it('preserves numeric order bytewise', () => {
    const encoded = SIGNED_SAMPLES.map(encodeSigned);

    for (let i = 1; i < encoded.length; i++) {
      expect(compareBytes(encoded[i - 1], encoded[i]), `${SIGNED_SAMPLES[i - 1]} < ${SIGNED_SAMPLES[i]}`).toBeLessThan(0);
    }
  });

  it('rejects a truncated number', () => {
    const encoded = encodeSigned(2 ** 20);

    expect(() => new OrderedCodeReader(encoded.subarray(0, encoded.length - 1), 'test').readSignedNumIncreasing()).toThrow(/signed number/);
  });
});
