import { readFile } from 'node:fs/promises';

import { fixturePath, readExpected } from '@inception/testing';
import { describe, expect, it } from 'vitest';

import { decodeExample } from './example.js';
import type { FeatureValue } from './feature.js';
import { readTFRecordFile, readTFRecords } from './reader.js';
import type { TFRecord } from './record-parser.js';
import {
  chunked,
  collect,
  floatTolerance,
  sha256Hex,
  type ExpectedBytesValue,
  type ExpectedFeature,
  type ExpectedTFRecordFile,
} from './test-support/expected-fixture.js';

const COMPRESSION_NAMES = { NONE: 'none', GZIP: 'gzip', ZLIB: 'zlib' } as const;

const FIXTURES = [
  'tensorflow/tfrecord/tf_record',
  'tf-models/pets_examples.record',
  'pytorch-data/example.tfrecord',
  'ydf/sentences.tfe-tfrecord',
];

const utf8 = new TextDecoder();

function expectFeatureValues(actual: FeatureValue, expected: ExpectedFeature, label: string): void {
  expect(actual.kind, `${label} kind`).toBe(expected.kind);
  expect(actual.values.length, `${label} count`).toBe(expected.count);

  expected.values.forEach((expectedValue, i) => {
    const actualValue = actual.values[i];
    if (actual.kind === 'bytes_list') {
      const bytes = actualValue as Uint8Array;
      const { text, length, sha256 } = expectedValue as ExpectedBytesValue;
      if (text !== undefined) {
        expect(utf8.decode(bytes), `${label}[${i}] text`).toBe(text);
      }
      if (length !== undefined) {
        expect(bytes.length, `${label}[${i}] length`).toBe(length);
      }
      if (sha256 !== undefined) {
        expect(sha256Hex(bytes), `${label}[${i}] sha256`).toBe(sha256);
      }
    } else if (actual.kind === 'float_list') {
      const expectedFloat = expectedValue as number;
      expect(Math.abs((actualValue as number) - expectedFloat), `${label}[${i}]`).toBeLessThanOrEqual(
        floatTolerance(expectedFloat),
      );
    } else {
      expect(Number(actualValue), `${label}[${i}]`).toBe(expectedValue);
    }
  });

  if (expected.sum !== undefined) {
    const sum = actual.values.reduce<number>((total, value) => total + Number(value), 0);
    expect(Math.abs(sum - expected.sum), `${label} sum`).toBeLessThanOrEqual(floatTolerance(expected.sum));
  }
}

describe.each(FIXTURES)('fixture %s', (fixture) => {
  const expected = readExpected<ExpectedTFRecordFile>(fixture);
  const readAll = (): Promise<TFRecord[]> => collect(readTFRecordFile(fixturePath(fixture)));

  it('reads the recorded number of records', async () => {
    const records = await readAll();
    expect(records.length).toBe(expected.num_records);
  });

  it('reads each record at its recorded offset and length', async () => {
    const records = await readAll();
    expected.records_index.forEach((location, i) => {
      expect(records[i].index, `record ${i} index`).toBe(i);
      expect(records[i].offset, `record ${i} offset`).toBe(location.offset);
      expect(records[i].data.length, `record ${i} length`).toBe(location.length);
    });
  });

  it('reads record data with the recorded sha256', async () => {
    const records = await readAll();
    expected.records_index.forEach((location, i) => {
      expect(sha256Hex(records[i].data), `record ${i} sha256`).toBe(location.sha256);
    });
  });

  it('ends at the recorded uncompressed size', async () => {
    const records = await readAll();
    const last = records[records.length - 1];
    expect(last.offset + 16 + last.data.length).toBe(expected.uncompressed_size);
  });

  it('decodes the recorded feature keys and kinds', async () => {
    const records = await readAll();
    const kindsByKey: Record<string, Set<string>> = {};
    for (const record of records) {
      for (const [key, feature] of Object.entries(decodeExample(record.data))) {
        (kindsByKey[key] ??= new Set()).add(feature.kind);
      }
    }

    expect(Object.keys(kindsByKey).sort()).toEqual(Object.keys(expected.feature_keys).sort());
    for (const [key, kinds] of Object.entries(expected.feature_keys)) {
      expect([...kindsByKey[key]].sort(), key).toEqual([...kinds].sort());
    }
  });

  it('decodes the recorded feature values', async () => {
    const records = await readAll();
    for (const expectedRecord of expected.records) {
      const features = decodeExample(records[expectedRecord.index].data);
      expect(Object.keys(features).sort(), `record ${expectedRecord.index} keys`).toEqual(
        Object.keys(expectedRecord.features).sort(),
      );
      for (const [key, expectedFeature] of Object.entries(expectedRecord.features)) {
        expectFeatureValues(features[key], expectedFeature, `record ${expectedRecord.index} ${key}`);
      }
    }
  });

  it('reads the same records from small uneven chunks', async () => {
    const bytes = await readFile(fixturePath(fixture));
    const whole = await readAll();
    const fromChunks = await collect(readTFRecords(chunked(bytes, 61), { fileName: expected.file }));

    expect(fromChunks.length).toBe(whole.length);
    fromChunks.forEach((record, i) => {
      expect(record.offset, `record ${i} offset`).toBe(whole[i].offset);
      expect(Buffer.compare(record.data, whole[i].data), `record ${i} data`).toBe(0);
    });
  });

  it('reports the detected compression', async () => {
    const reader = readTFRecordFile(fixturePath(fixture));
    await collect(reader);
    expect(reader.summary.compression).toBe(COMPRESSION_NAMES[expected.compression]);
  });

  it('reads with the compression named explicitly', async () => {
    const compression = COMPRESSION_NAMES[expected.compression];
    const records = await collect(readTFRecordFile(fixturePath(fixture), { compression }));
    expect(records.length).toBe(expected.num_records);
  });
});
