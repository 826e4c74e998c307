import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ShardDatasetResponseSchema, type ShardDatasetResponse } from '@inception/proto';
import { startTestShardingServer, writeSampleDataset, type TestShardingServer } from '@inception/sharding/testing';
import { repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromJson } from '@bufbuild/protobuf';
import { runCli } from '../build-image-data/test-support/run-cli.js';
import { parseDatasetVersion, runShard, type ShardOptions } from './shard.js';
import { pythonTimestamp } from './shard-output.js';

const TIMESTAMP = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?`;

let harness: TestObjectStore;
let sharding: TestShardingServer;

function options(overrides: Partial<ShardOptions> = {}): ShardOptions {
  return { dataset: 'fashion@1', trainShards: 4, validationShards: 2, numThreads: 2, compression: 'none', json: false, sharding: sharding.server.address, ...overrides };
}

async function run(overrides: Partial<ShardOptions> = {}, barStream?: NodeJS.WritableStream): Promise<{ lines: string[]; response: ShardDatasetResponse }> {
  const lines: string[] = [];
  const response = await runShard(options(overrides), { print: (line) => lines.push(line), barStream });
  return { lines, response };
}

beforeAll(async () => {
  harness = await startTestObjectStore();
  await writeSampleDataset(harness.store, { samplesDir: path.join(repoRoot, 'data/samples/fashion-mnist'), name: 'fashion', perClass: { train: 12, validation: 3 } });
  sharding = await startTestShardingServer(harness.store, { concurrency: 2 });
});

afterAll(async () => {
  await sharding?.stop();
  await harness?.stop();
});

describe('inception shard', () => {
  it('prints a line per written shard', async () => {
    const { lines } = await run({ seed: 1n });
    const wrote = lines.filter((line) => line.includes('Wrote'));
    expect(wrote).toHaveLength(6);
    for (const line of wrote) expect(line).toMatch(new RegExp(`^${TIMESTAMP} \\[thread [01]\\]: Wrote \\d+ images to shards/fashion/v1/none-train4-validation2-threads2-seed1/(train|validation)-0000\\d-of-0000[24]$`));
  });

  it('ends each split with the original closing line', async () => {
    const { lines } = await run({ seed: 2n });
    const finished = lines.filter((line) => line.includes('Finished writing all'));
    expect(finished).toHaveLength(2);
    expect(finished[0]).toMatch(new RegExp(`^${TIMESTAMP}: Finished writing all 30 images in data set\\.$`));
    expect(finished[1]).toMatch(new RegExp(`^${TIMESTAMP}: Finished writing all 120 images in data set\\.$`));
  });

  it('prints no shard lines for an existing set', async () => {
    await run({ seed: 3n });
    const { lines, response } = await run({ seed: 3n });
    expect(response.created).toBe(false);
    expect(lines.filter((line) => line.includes('Wrote'))).toEqual([]);
    expect(lines.filter((line) => line.includes('Finished writing all'))).toHaveLength(2);
  });

  it('prints the shard set as JSON', async () => {
    const { lines } = await run({ seed: 4n, json: true, compression: 'gzip' });
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as { progress: { state: string; imagesWritten: number } } & Record<string, unknown>;
    const { progress, ...response } = parsed;
    expect(fromJson(ShardDatasetResponseSchema, response as never).shardSet?.setId).toBe('gzip-train4-validation2-threads2-seed4');
    expect(progress.state).toBe('SHARDING_STATE_SUCCEEDED');
    expect(progress.imagesWritten).toBe(150);
  });

  it('shows a bar instead of shard lines', async () => {
    const stream = new PassThrough();
    stream.resume();
    const { lines } = await run({ seed: 5n }, stream);
    expect(lines.filter((line) => line.includes('Wrote'))).toEqual([]);
    expect(lines.filter((line) => line.includes('Finished writing all'))).toHaveLength(2);
  });

  it('rejects a shard count the threads do not divide', async () => {
    await expect(run({ trainShards: 3 })).rejects.toThrow('train_shards 3 is not a multiple of num_threads 2');
  });

  it('names the options in the service\'s error', async () => {
    const cli = await runCli(['shard', '--sharding', sharding.server.address, '--dataset', 'fashion@1', '--train-shards', '2', '--validation-shards', '3']);

    expect(cli.exitCode).toBe(1);
    expect(cli.stderr).toBe('inception: --validation-shards 3 is not a multiple of --num-threads 2, as build_image_data.py requires\n');
  });
});

describe('parseDatasetVersion', () => {
  it('splits name and version', () => {
    expect(parseDatasetVersion('flowers@12')).toEqual({ name: 'flowers', version: 12 });
  });

  it.each(['flowers', 'flowers@0', 'flowers@x', '@1'])('rejects %s', (text) => {
    expect(() => parseDatasetVersion(text)).toThrow(text);
  });

  it('names what is wrong with a name', () => {
    expect(() => parseDatasetVersion('Bad Name@1')).toThrow(`dataset name "Bad Name" is invalid: use 1–63 lower-case letters, digits, '-' or '_', starting with a letter or digit`);
  });
});

describe('pythonTimestamp', () => {
  const local = new Date(2026, 0, 2, 3, 4, 5, 678);

  it('prints microseconds with six digits', () => {
    expect(pythonTimestamp(local.getTime() * 1000 + 9)).toBe('2026-01-02 03:04:05.678009');
  });

  it('omits a zero fraction as Python does', () => {
    expect(pythonTimestamp(new Date(2026, 0, 2, 3, 4, 5, 0).getTime() * 1000)).toBe('2026-01-02 03:04:05');
  });
});
