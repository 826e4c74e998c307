import { fixturePath, readExpected } from '@inception/testing';
import { describe, expect, it } from 'vitest';

import { decodeExample, encodeExample } from './example.js';
import { int64Feature } from './feature.js';
import { buildImageExample, encodeImageExample, parseImageExample } from './image-example.js';
import { readTFRecordFile } from './reader.js';
import { collect, floatTolerance, sha256Hex, type ExpectedTFRecordFile } from './test-support/expected-fixture.js';

const utf8 = new TextDecoder();
const IMAGENET_FIXTURE = 'tensorflow/tfrecord/tf_record';

const input = {
  encoded: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
  height: 375,
  width: 500,
  label: 2,
  text: 'roses',
  filename: '12240303_80d87f77a3_n.jpg',
};

describe('buildImageExample', () => {
  it('writes the keys of build_image_data.py', () => {
    expect(Object.keys(buildImageExample(input))).toEqual([
      'image/height',
      'image/width',
      'image/colorspace',
      'image/channels',
      'image/class/label',
      'image/class/text',
      'image/format',
      'image/filename',
      'image/encoded',
    ]);
  });

  it('writes the values of build_image_data.py', () => {
    const features = decodeExample(encodeImageExample(input));
    const text = (key: string): string => utf8.decode(features[key].values[0] as Uint8Array);

    expect(features['image/height']).toEqual({ kind: 'int64_list', values: [375] });
    expect(features['image/width']).toEqual({ kind: 'int64_list', values: [500] });
    expect(text('image/colorspace')).toBe('RGB');
    expect(features['image/channels']).toEqual({ kind: 'int64_list', values: [3] });
    expect(features['image/class/label']).toEqual({ kind: 'int64_list', values: [2] });
    expect(text('image/class/text')).toBe('roses');
    expect(text('image/format')).toBe('JPEG');
    expect(text('image/filename')).toBe('12240303_80d87f77a3_n.jpg');
    expect(Array.from(features['image/encoded'].values[0] as Uint8Array)).toEqual(Array.from(input.encoded));
  });

  it('adds ImageNet synset and empty box lists', () => {
    const features = buildImageExample({ ...input, synset: 'n01440764', boxes: [] });
    expect(features['image/class/synset'].kind).toBe('bytes_list');
    expect(features['image/object/bbox/xmin']).toEqual({ kind: 'float_list', values: [] });
    expect(features['image/object/bbox/label']).toEqual({ kind: 'int64_list', values: [] });
  });

  it('repeats the label for each box', () => {
    const box = { xmin: 0.1, ymin: 0.2, xmax: 0.3, ymax: 0.4 };
    const features = buildImageExample({ ...input, boxes: [box, box] });
    expect(features['image/object/bbox/label']).toEqual({ kind: 'int64_list', values: [2, 2] });
  });

  it('rejects a zero height', () => {
    expect(() => buildImageExample({ ...input, height: 0 })).toThrow('height must be a positive integer, got 0');
  });

  it('rejects a fractional label', () => {
    expect(() => buildImageExample({ ...input, label: 1.5 })).toThrow(/label must be a non-negative integer/);
  });
});

describe('parseImageExample', () => {
  it('round-trips buildImageExample', () => {
    const parsed = parseImageExample(encodeImageExample(input));
    expect(parsed).toEqual({ ...input, colorspace: 'RGB', channels: 3, format: 'JPEG' });
  });

  it('round-trips ImageNet boxes as float32', () => {
    const box = { xmin: 0.1, ymin: 0.2, xmax: 0.3, ymax: 0.4 };
    const parsed = parseImageExample(encodeImageExample({ ...input, synset: 'n01440764', boxes: [box] }));
    expect(parsed.synset).toBe('n01440764');
    expect(parsed.boxes).toEqual([
      { xmin: Math.fround(0.1), ymin: Math.fround(0.2), xmax: Math.fround(0.3), ymax: Math.fround(0.4) },
    ]);
  });

  it('names a missing feature', () => {
    const features = buildImageExample(input);
    delete features['image/class/label'];
    expect(() => parseImageExample(encodeExample(features))).toThrow('image Example has no feature "image/class/label"');
  });

  it('names a feature of the wrong kind', () => {
    const features = { ...buildImageExample(input), 'image/format': int64Feature(1) };
    expect(() => parseImageExample(encodeExample(features))).toThrow(
      'image Example feature "image/format" has kind int64_list, expected bytes_list',
    );
  });

  it('names a feature with two values', () => {
    const features = { ...buildImageExample(input), 'image/height': int64Feature(1, 2) };
    expect(() => parseImageExample(encodeExample(features))).toThrow(
      'image Example feature "image/height" has 2 values, expected 1',
    );
  });

  it('reads the ImageNet fixture as recorded', async () => {
    const expected = readExpected<ExpectedTFRecordFile>(IMAGENET_FIXTURE);
    const records = await collect(readTFRecordFile(fixturePath(IMAGENET_FIXTURE)));

    for (const expectedRecord of expected.records) {
      const parsed = parseImageExample(records[expectedRecord.index].data);
      const features = expectedRecord.features;
      const label = `record ${expectedRecord.index}`;
      const textOf = (key: string): string | undefined => (features[key].values[0] as { text?: string }).text;
      const encodedValue = features['image/encoded'].values[0] as { sha256?: string };

      expect(parsed.height, `${label} height`).toBe(features['image/height'].values[0]);
      expect(parsed.width, `${label} width`).toBe(features['image/width'].values[0]);
      expect(parsed.label, `${label} label`).toBe(features['image/class/label'].values[0]);
      expect(parsed.channels, `${label} channels`).toBe(features['image/channels'].values[0]);
      expect(parsed.text, `${label} text`).toBe(textOf('image/class/text'));
      expect(parsed.synset, `${label} synset`).toBe(textOf('image/class/synset'));
      expect(parsed.filename, `${label} filename`).toBe(textOf('image/filename'));
      expect(parsed.colorspace, `${label} colorspace`).toBe(textOf('image/colorspace'));
      expect(parsed.format, `${label} format`).toBe(textOf('image/format'));
      expect(sha256Hex(parsed.encoded), `${label} encoded`).toBe(encodedValue.sha256);
      expect(parsed.boxes?.length, `${label} boxes`).toBe(features['image/object/bbox/xmin'].count);
      parsed.boxes?.forEach((box, i) => {
        for (const corner of ['xmin', 'ymin', 'xmax', 'ymax'] as const) {
          const expectedCorner = features[`image/object/bbox/${corner}`].values[i] as number;
          expect(Math.abs(box[corner] - expectedCorner), `${label} box ${i} ${corner}`).toBeLessThanOrEqual(
            floatTolerance(expectedCorner),
          );
        }
      });
    }
  });
});
