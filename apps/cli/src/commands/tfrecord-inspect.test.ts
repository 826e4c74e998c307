import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { fixturePath, makeTempDir, readExpected, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { bytesFeature, encodeExample, encodeImageExample, floatFeature, int64Feature, writeTFRecordFile } from '@inception/tfrecord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli, type CliRun } from '../build-image-data/test-support/run-cli.js';

interface ExpectedFile {
  num_records: number;
  records_index: { offset: number; length: number }[];
  records: { index: number; features: Record<string, { kind: string; values: unknown[] }> }[];
}

interface InspectedFile {
  file: string;
  compression?: string;
  recordCount: number;
  records: { index: number; offset: number; length: number; features?: Record<string, { kind: string; count: number; values: unknown[] }> }[];
  error?: { message: string; check?: string; recordIndex?: number; offset?: number };
}

const PETS = 'tf-models/pets_examples.record';
const DAMAGED_PETS = 'tf-models/corrupted/pets_examples.crlf-stripped.record';
const YDF_GZIP = 'ydf/sentences.tfe-tfrecord';

function parseJson(run: CliRun): InspectedFile[] {
  return JSON.parse(run.stdout) as InspectedFile[];
}

let tempDir: string;
let removeTemp: () => Promise<void>;
let longListPath: string;

beforeAll(async () => {
  ({ dir: tempDir, remove: removeTemp } = await makeTempDir('inception-inspect-'));
  longListPath = path.join(tempDir, 'long-list');
  await writeTFRecordFile(longListPath, [encodeExample({ ids: int64Feature(...Array.from({ length: 25 }, (_, i) => i)) })]);
});

afterAll(async () => {
  await removeTemp();
});

describe('tfrecord inspect on TensorFlow files', () => {
  let run: CliRun;
  let files: InspectedFile[];

  beforeAll(async () => {
    run = await runCli(['tfrecord', 'inspect', '--json', fixturePath(PETS), fixturePath(YDF_GZIP)]);
    files = parseJson(run);
  });

  it('exits with status 0', () => {
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('lists every record location', () => {
    for (const [index, fixture] of [PETS, YDF_GZIP].entries()) {
      const expected = readExpected<ExpectedFile>(fixture);
      expect(files[index].recordCount, fixture).toBe(expected.num_records);
      expect(files[index].records.map(({ offset, length }) => ({ offset, length })), fixture).toEqual(
        expected.records_index.map(({ offset, length }) => ({ offset, length })),
      );
    }
  });

  it('reports the detected compression', () => {
    expect(files[0].compression).toBe('none');
    expect(files[1].compression).toBe('gzip');
  });

  it('shows bytes as length and digest', () => {
    const expected = readExpected<ExpectedFile>(PETS);
    for (const record of expected.records) {
      const expectedImage = record.features['image/encoded'].values[0] as { length: number; sha256: string };
      expect(files[0].records[record.index].features?.['image/encoded'].values[0]).toEqual({
        length: expectedImage.length,
        sha256: expectedImage.sha256,
      });
    }
  });

  it('decodes the recorded feature values', () => {
    for (const [index, fixture] of [PETS, YDF_GZIP].entries()) {
      for (const record of readExpected<ExpectedFile>(fixture).records) {
        const features = files[index].records[record.index].features ?? {};
        expect(Object.keys(features), `${fixture} record ${record.index}`).toEqual(Object.keys(record.features).sort());
        for (const [key, feature] of Object.entries(record.features)) {
          const label = `${fixture} record ${record.index} ${key}`;
          expect(features[key].kind, label).toBe(feature.kind);
          if (feature.kind === 'float_list') {
            features[key].values.forEach((value, i) => expect(value as number, label).toBeCloseTo(feature.values[i] as number, 6));
          } else if (key !== 'image/encoded') {
            expect(features[key].values, label).toEqual(feature.values);
          }
        }
      }
    }
  });

  it('prints text with abbreviated lists', async () => {
    const text = await runCli(['tfrecord', 'inspect', fixturePath(YDF_GZIP), longListPath]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('record 1  offset 41  length 30');
    expect(text.stdout).toContain('f1  bytes_list[1]  "Bonjour le monde"');
    expect(text.stdout).toContain('2 records, compression gzip');
    expect(text.stdout).toContain('ids  int64_list[25]  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … 15 more');
  });
});

describe('tfrecord inspect on damage', () => {
  it('fails on the damaged pets file', async () => {
    const run = await runCli(['tfrecord', 'inspect', fixturePath(DAMAGED_PETS), fixturePath(PETS), '/nonexistent/train-00000-of-00001']);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${fixturePath(DAMAGED_PETS)} record 0 at offset 0: data CRC mismatch`);
    expect(run.stderr).toContain('Failed check: data-crc');
    expect(run.stderr).toContain('inception: tfrecord inspect: /nonexistent/train-00000-of-00001: file not found\n');
    expect(run.stdout).not.toContain('/nonexistent/train-00000-of-00001');
    expect(run.stdout).toContain('10 records, compression none');
  });

  it('names a missing file in one line', async () => {
    const missingPath = path.join(tempDir, 'missing.record');

    const run = await runCli(['tfrecord', 'inspect', missingPath]);

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`inception: tfrecord inspect: ${missingPath}: file not found\n`);
  });

  it('rejects a folder', async () => {
    const run = await runCli(['tfrecord', 'inspect', '--json', tempDir]);
    const [file] = parseJson(run);

    expect(run.exitCode).toBe(1);
    expect(file.error?.message).toBe(`${tempDir}: is a folder, not a TFRecord file`);
    expect(file.recordCount).toBe(0);
  });

  it('prints records read before a truncation', async () => {
    const whole = await readFile(fixturePath(PETS));
    const truncatedPath = path.join(tempDir, 'truncated.record');
    await writeFile(truncatedPath, whole.subarray(0, 200_000));

    const run = await runCli(['tfrecord', 'inspect', '--json', truncatedPath]);
    const [file] = parseJson(run);

    expect(run.exitCode).toBe(1);
    expect(file.recordCount).toBe(2);
    expect(file.error?.check).toBe('truncated');
    expect(file.error?.recordIndex).toBe(2);
    expect(file.error?.offset).toBe(165560);
  });
});

describe('tfrecord inspect on project files', () => {
  it('shows a written image Example', async () => {
    const encoded = new Uint8Array(5000).map((_, i) => (i * 7) % 256);
    const shardPath = path.join(tempDir, 'train-00000-of-00001');
    const values = Array.from({ length: 25 }, (_, i) => i);
    await writeTFRecordFile(
      shardPath,
      [
        encodeImageExample({ encoded, height: 375, width: 500, label: 3, text: 'roses', filename: 'rose.jpg' }),
        encodeExample({ ids: int64Feature(...values, 2n ** 62n), scores: floatFeature(0.76, NaN), raw: bytesFeature(new Uint8Array([0, 1, 2])) }),
      ],
      { compression: 'zlib' },
    );

    const run = await runCli(['tfrecord', 'inspect', '--json', '--full', shardPath]);
    const [file] = parseJson(run);
    const image = file.records[0].features ?? {};
    const lists = file.records[1].features ?? {};

    expect(file.compression).toBe('zlib');
    expect(image['image/class/label'].values).toEqual([3]);
    expect(image['image/class/text'].values).toEqual([{ text: 'roses' }]);
    expect((image['image/encoded'].values[0] as { base64: string }).base64).toBe(Buffer.from(encoded).toString('base64'));
    expect(lists.ids.values).toEqual([...values, '4611686018427387904']);
    expect(lists.scores.values).toEqual([0.76, 'NaN']);
    expect(lists.raw.values).toEqual([{ length: 3, sha256: createHash('sha256').update(new Uint8Array([0, 1, 2])).digest('hex'), base64: 'AAEC' }]);
  });

  it('rejects a negative limit', async () => {
    const run = await runCli(['tfrecord', 'inspect', '--limit', '-1', fixturePath(PETS)]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain('expected a non-negative integer, got "-1"');
  });
});

describe('tfrecord inspect on s3', () => {
  let objects: TestObjectStore;

  beforeAll(async () => {
    objects = await startTestObjectStore('inspect-bucket');
    await objects.store.put('shards/sentences', await readFile(fixturePath(YDF_GZIP)));
  });

  afterAll(async () => {
    await objects.stop();
  });

  it('reads an s3 object', async () => {
    const env = { S3_ENDPOINT: objects.s3.endpoint, S3_ACCESS_KEY: objects.s3.accessKey, S3_SECRET_KEY: objects.s3.secretKey };
    const run = await runCli(['tfrecord', 'inspect', '--json', '--limit', '0', 's3://inspect-bucket/shards/sentences', 's3://inspect-bucket/shards/missing'], env);
    const [found, missing] = parseJson(run);

    expect(found.recordCount).toBe(2);
    expect(found.compression).toBe('gzip');
    expect(found.records).toEqual([]);
    expect(missing.error?.message).toBe('s3://inspect-bucket/shards/missing: object not found');
    expect(run.exitCode).toBe(1);
  });

  it('requires S3_ENDPOINT for s3', async () => {
    const run = await runCli(['tfrecord', 'inspect', 's3://inspect-bucket/shards/sentences'], { S3_ENDPOINT: '' });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('s3://inspect-bucket/shards/sentences: S3_ENDPOINT is missing');
  });
});
