import { describe, expect, it } from 'vitest';

import { PythonRandom, pythonShuffle } from './python-random.js';
import { readTestVectors, type PythonRandomVectors } from './test-support/test-vectors.js';

const vectors = readTestVectors<PythonRandomVectors>('python-random.json');

describe(`PythonRandom against CPython ${vectors.python}`, () => {
  it.each(vectors.shuffles)('shuffles $size items with seed $seed', ({ seed, size, order }) => {
    const items = Array.from({ length: size }, (_, i) => i);
    pythonShuffle(items, seed);
    expect(items).toEqual(order);
  });

  it.each(vectors.random)('returns random() values for seed $seed', ({ seed, values }) => {
    const generator = new PythonRandom(BigInt(seed));
    expect(values.map(() => generator.random())).toEqual(values);
  });

  it('returns getrandbits values of every width', () => {
    const { seed, draws } = vectors.getrandbitsSequence;
    const generator = new PythonRandom(seed);
    for (const { bitCount, value } of draws) {
      expect(generator.getrandbits(bitCount), `getrandbits(${bitCount})`).toBe(BigInt(value));
    }
  });

  it('returns _randbelow values for small and large limits', () => {
    const { seed, draws } = vectors.randbelowSequence;
    const generator = new PythonRandom(seed);
    for (const { n, value } of draws) {
      expect(generator.randbelow(n), `randbelow(${n})`).toBe(value);
    }
  });
});

describe('PythonRandom', () => {
  it('returns the shuffled array itself', () => {
    const items = [1, 2, 3];
    expect(pythonShuffle(items, 1)).toBe(items);
  });

  it('restarts the sequence on reseed', () => {
    const generator = new PythonRandom(12345);
    const first = generator.random();
    generator.seed(12345);
    expect(generator.random()).toBe(first);
  });

  it('rejects a fractional seed', () => {
    expect(() => new PythonRandom(1.5)).toThrow('seed must be a safe integer or a bigint, got 1.5');
  });

  it('rejects randbelow of zero', () => {
    expect(() => new PythonRandom(1).randbelow(0)).toThrow('n must be a positive safe integer, got 0');
  });
});
