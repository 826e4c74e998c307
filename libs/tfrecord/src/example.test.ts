import { create, toBinary } from '@bufbuild/protobuf';
import { tensorflow } from '@inception/proto';
import { describe, expect, it } from 'vitest';

import { decodeExample, decodeSequenceExample, encodeExample, encodeSequenceExample } from './example.js';
import { bytesFeature, floatFeature, int64Feature } from './feature.js';

const utf8 = new TextDecoder();

describe('encodeExample', () => {
  it('round-trips every feature kind', () => {
    const decoded = decodeExample(
      encodeExample({
        name: bytesFeature('daisy', new Uint8Array([0, 255])),
        scores: floatFeature(0.5, -2, 1e10),
        ids: int64Feature(1, -1, 2 ** 40),
      }),
    );

    expect(decoded.name.kind).toBe('bytes_list');
    expect(decoded.name.values.map((value) => Array.from(value as Uint8Array))).toEqual([
      Array.from(new TextEncoder().encode('daisy')),
      [0, 255],
    ]);
    expect(decoded.scores).toEqual({ kind: 'float_list', values: [0.5, -2, 1e10] });
    expect(decoded.ids).toEqual({ kind: 'int64_list', values: [1, -1, 2 ** 40] });
  });

  it('keeps empty lists with their kind', () => {
    const decoded = decodeExample(
      encodeExample({ boxes: floatFeature(), labels: int64Feature(), texts: bytesFeature() }),
    );
    expect(decoded).toEqual({
      boxes: { kind: 'float_list', values: [] },
      labels: { kind: 'int64_list', values: [] },
      texts: { kind: 'bytes_list', values: [] },
    });
  });

  it('rounds floats to float32', () => {
    const decoded = decodeExample(encodeExample({ x: floatFeature(0.1) }));
    expect(decoded.x.values[0]).toBe(Math.fround(0.1));
  });

  it('decodes int64 beyond 2^53 as bigint', () => {
    const decoded = decodeExample(encodeExample({ big: int64Feature(2n ** 62n, -(2n ** 63n), 5n) }));
    expect(decoded.big.values).toEqual([2n ** 62n, -(2n ** 63n), 5]);
  });

  it('rejects a non-integer int64 value', () => {
    expect(() => encodeExample({ 'image/height': int64Feature(2.5) })).toThrow(
      'int64 feature "image/height" value 0 is 2.5, which is not an integer',
    );
  });

  it('rejects an int64 value outside the range', () => {
    expect(() => encodeExample({ big: int64Feature(2n ** 63n) })).toThrow(/outside the int64 range/);
  });

  it('encodes strings as UTF-8', () => {
    const decoded = decodeExample(encodeExample({ text: bytesFeature('Gänseblümchen') }));
    expect(utf8.decode(decoded.text.values[0] as Uint8Array)).toBe('Gänseblümchen');
  });

  it('encodes an empty map as an empty Example', () => {
    expect(decodeExample(encodeExample({}))).toEqual({});
  });
});

describe('decodeExample', () => {
  it('rejects a feature with no list set', () => {
    const bytes = toBinary(
      tensorflow.ExampleSchema,
      create(tensorflow.ExampleSchema, { features: { feature: { empty: create(tensorflow.FeatureSchema) } } }),
    );
    expect(() => decodeExample(bytes)).toThrow('feature "empty" has none of bytes_list, float_list or int64_list set');
  });

  it('decodes an empty message as no features', () => {
    expect(decodeExample(new Uint8Array(0))).toEqual({});
  });
});

describe('encodeSequenceExample', () => {
  it('round-trips context and feature lists', () => {
    const value = {
      context: { length: int64Feature(3) },
      featureLists: {
        tokens: [bytesFeature('a'), bytesFeature('b', 'c'), bytesFeature()],
        weights: [floatFeature(0.25), floatFeature()],
      },
    };

    const decoded = decodeSequenceExample(encodeSequenceExample(value));

    expect(decoded.context).toEqual({ length: { kind: 'int64_list', values: [3] } });
    expect(decoded.featureLists.tokens.map((step) => step.values.map((v) => utf8.decode(v as Uint8Array)))).toEqual([
      ['a'],
      ['b', 'c'],
      [],
    ]);
    expect(decoded.featureLists.weights).toEqual([
      { kind: 'float_list', values: [0.25] },
      { kind: 'float_list', values: [] },
    ]);
  });

  it('names the step of an invalid feature', () => {
    expect(() => encodeSequenceExample({ context: {}, featureLists: { ids: [int64Feature(1), int64Feature(0.5)] } })).toThrow(
      'int64 feature "ids[1]" value 0 is 0.5',
    );
  });
});
