import { randomBytes } from 'node:crypto';

import { create, toBinary } from '@bufbuild/protobuf';
import { tensorflow } from '@inception/proto';
import { describe, expect, it } from 'vitest';

import { encodeExampleBytes, encodeExampleParts } from './example-encoding.js';
import { bytesFeature, floatFeature, int64Feature, toFeaturesMessage, type FeatureMap } from './feature.js';

// protobuf-es serializes the same map through the generated schema, and the hand-written
// encoder must produce identical bytes.
function encodeWithProtobufEs(features: FeatureMap): Uint8Array {
  return toBinary(tensorflow.ExampleSchema, create(tensorflow.ExampleSchema, { features: toFeaturesMessage(features) }));
}

const cases: Record<string, FeatureMap> = {
  'an empty map': {},
  'the image keys': {
    'image/height': int64Feature(375),
    'image/width': int64Feature(500),
    'image/colorspace': bytesFeature('RGB'),
    'image/class/label': int64Feature(3),
    'image/class/text': bytesFeature('daisy'),
    'image/encoded': bytesFeature(randomBytes(110 * 1024)),
  },
  'empty lists of every kind': { a: bytesFeature(), b: floatFeature(), c: int64Feature() },
  'empty values and keys': { '': bytesFeature(new Uint8Array(0), ''), z: bytesFeature('') },
  'negative and large int64 values': {
    ids: int64Feature(0, 127, 128, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, -1, -(2 ** 40), 2n ** 63n - 1n, -(2n ** 63n)),
  },
  'special floats': { x: floatFeature(0, -0, 0.1, 1e-45, 3.4028234663852886e38, -3.4e38, Infinity, -Infinity, NaN) },
  'UTF-8 keys and values': { 'Gänse/blümchen': bytesFeature('花', '🌼') },
  'numeric-looking keys': { '10': int64Feature(1), '2': int64Feature(2), b: int64Feature(3) },
  'long lists': { floats: floatFeature(...Array.from({ length: 40_000 }, (_, i) => i / 7)), ints: int64Feature(...Array.from({ length: 300 }, (_, i) => i * 1000)) },
};

describe('encodeExampleBytes', () => {
  for (const [name, features] of Object.entries(cases)) {
    it(`matches protobuf-es for ${name}`, () => {
      expect(Buffer.from(encodeExampleBytes(features)).equals(Buffer.from(encodeWithProtobufEs(features)))).toBe(true);
    });
  }

  it('rejects a non-integer int64 value', () => {
    expect(() => encodeExampleBytes({ 'image/height': int64Feature(1, 2.5) })).toThrow(
      'int64 feature "image/height" value 1 is 2.5, which is not an integer',
    );
  });

  it('rejects an int64 value above the range', () => {
    expect(() => encodeExampleBytes({ big: int64Feature(2n ** 63n) })).toThrow(
      'int64 feature "big" value 0 is 9223372036854775808, outside the int64 range',
    );
  });

  it('rejects a float beyond float32', () => {
    expect(() => encodeExampleBytes({ x: floatFeature(1, 3.5e38) })).toThrow('float feature "x" value 1 is 3.5e+38, outside the float32 range');
  });

  it('rejects an unknown feature kind', () => {
    const features = { odd: { kind: 'string_list', values: [] } } as unknown as FeatureMap;
    expect(() => encodeExampleBytes(features)).toThrow('feature "odd" has unknown kind "string_list"');
  });
});

describe('encodeExampleParts', () => {
  const image = new Uint8Array(randomBytes(10_000));
  const features: FeatureMap = {
    'image/height': int64Feature(375),
    'image/encoded': bytesFeature(image),
    'image/class/text': bytesFeature('daisy'),
    'image/small': bytesFeature(new Uint8Array(100)),
  };

  it('concatenates to the whole encoding', () => {
    const parts = encodeExampleParts(features);
    expect(Buffer.concat(parts).equals(Buffer.from(encodeExampleBytes(features)))).toBe(true);
  });

  it('references long values without copying', () => {
    const parts = encodeExampleParts(features);
    expect(parts.filter((part) => part === image)).toHaveLength(1);
    expect(parts).toHaveLength(3);
  });

  it('copies values below the threshold', () => {
    const parts = encodeExampleParts(features, 20_000);
    expect(parts).toHaveLength(1);
    expect(Buffer.from(parts[0]).equals(Buffer.from(encodeExampleBytes(features)))).toBe(true);
  });

  it('encodes an empty map as one part', () => {
    expect(encodeExampleParts({}).map((part) => Array.from(part))).toEqual([[0x0a, 0x00]]);
  });

  it('rejects a zero threshold', () => {
    expect(() => encodeExampleParts(features, 0)).toThrow('encodeExampleParts: minReferencedBytes must be a positive integer, got 0');
  });
});
