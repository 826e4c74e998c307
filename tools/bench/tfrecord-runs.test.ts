import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { makeTempDir } from '@inception/testing';
import { parseImageExample, readTFRecordFile } from '@inception/tfrecord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  copyWithPipe,
  makeBenchRecords,
  readWithOurReader,
  readWithPlainStream,
  writeWithOurWriter,
  writeWithRoboflow,
  type BenchRecord,
} from './tfrecord-runs.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let dir: string;
let remove: () => Promise<void>;
const records: BenchRecord[] = makeBenchRecords(300_000, 10_000);

beforeAll(async () => {
  ({ dir, remove } = await makeTempDir('bench-tfrecord-test-'));
});

afterAll(async () => {
  await remove();
});

async function readBack(filePath: string): Promise<ReturnType<typeof parseImageExample>[]> {
  const examples = [];
  for await (const record of readTFRecordFile(filePath)) {
    examples.push(parseImageExample(record.data));
  }
  return examples;
}

describe('benchmark runs', () => {
  it('makes records of the requested size', () => {
    expect(records.length).toBe(30);
    expect(records[0].encoded.length).toBe(10_000);
  });

  it('our writer output reads back', async () => {
    const shardPath = path.join(dir, 'ours');
    const result = await writeWithOurWriter(shardPath, records);
    const examples = await readBack(shardPath);

    expect(result.bytes).toBe((await stat(shardPath)).size);
    expect(examples.map((example) => example.filename)).toEqual(records.map((record) => record.filename));
    expect(examples.map((example) => sha256(example.encoded))).toEqual(records.map((record) => sha256(record.encoded)));
  });

  it('roboflow writes the same records', async () => {
    const roboflowPath = path.join(dir, 'roboflow');
    const result = await writeWithRoboflow(roboflowPath, records);
    const examples = await readBack(roboflowPath);

    expect(result.bytes).toBe((await stat(roboflowPath)).size);
    expect(examples.map((example) => [example.label, example.text, example.filename, example.height, example.width])).toEqual(
      records.map((record) => [record.label, record.text, record.filename, record.height, record.width]),
    );
    expect(examples.map((example) => sha256(example.encoded))).toEqual(records.map((record) => sha256(record.encoded)));
  });

  it('baselines move the whole shard', async () => {
    const shardPath = path.join(dir, 'baseline-source');
    const written = await writeWithOurWriter(shardPath, records);

    expect((await copyWithPipe(shardPath, path.join(dir, 'copy'))).bytes).toBe(written.bytes);
    expect((await readWithPlainStream(shardPath)).bytes).toBe(written.bytes);
    expect((await readWithOurReader(shardPath)).bytes).toBe(written.bytes);
  });
});
