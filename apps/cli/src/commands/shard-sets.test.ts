import path from 'node:path';
import { Compression } from '@inception/proto';
import { startTestShardingServer, writeSampleDataset, type TestShardingServer } from '@inception/sharding/testing';
import { layout } from '@inception/storage';
import { repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { InvalidArgumentError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatasetSelection, runShardSets } from './shard-sets.js';

let harness: TestObjectStore;
let sharding: TestShardingServer;
const FAILED_SET = 'none-train2-validation2-threads2-seed9';

async function list(dataset: string, json = false): Promise<string[]> {
  const lines: string[] = [];
  await runShardSets(dataset, { json, sharding: sharding.server.address }, (line) => lines.push(line));
  return lines;
}

beforeAll(async () => {
  harness = await startTestObjectStore();
  await writeSampleDataset(harness.store, { samplesDir: path.join(repoRoot, 'data/samples/fashion-mnist'), name: 'fashion', perClass: { train: 12, validation: 3 } });
  await writeSampleDataset(harness.store, { samplesDir: path.join(repoRoot, 'data/samples/fashion-mnist'), name: 'never-sharded', perClass: { train: 1, validation: 1 } });
  sharding = await startTestShardingServer(harness.store);
  await sharding.client.shardDataset({ dataset: { name: 'fashion', version: 1 }, trainShards: 4, validationShards: 2, numThreads: 2, compression: Compression.GZIP });

  // A set whose run failed, as its coordinator recorded it.
  const failed = { formatVersion: 1, runId: 'r', host: 'other-host', pid: 1, updatedAt: new Date().toISOString(), finishedShards: [] };
  const counts = { shardsTotal: 2, shardsDone: 0, imagesTotal: 60, imagesWritten: 0 };
  const progress = { dataset: { name: 'fashion', version: 1 }, setId: FAILED_SET, state: 'failed', splits: { train: counts, validation: counts }, shardsTotal: 4, shardsDone: 0, imagesTotal: 120, imagesWritten: 0, bytesWritten: 0, imagesPerSecond: 0, bytesPerSecond: 0, elapsedSeconds: 1, unitsInFlight: 0, attemptsFailed: 3, attemptsRetried: 2, error: 'datasets/fashion/packs/x.pack: not found' };
  await harness.store.putJson(`${layout.shardSetPrefix('fashion', 1, FAILED_SET)}_progress.json`, { ...failed, progress });
});

afterAll(async () => {
  await sharding?.stop();
  await harness?.stop();
});

describe('inception shard-sets', () => {
  it('lists a written set as a table row', async () => {
    const lines = await list('fashion');
    expect(lines[0]).toMatch(/^DATASET\s+SET ID\s+STATE\s+SHARDS\s+TRAIN\s+VALIDATION\s+MB\s+CREATED$/);
    const row = lines.find((line) => line.includes('gzip-train4-validation2-threads2-seed12345'));
    expect(row).toMatch(/^fashion@1\s+gzip-train4-validation2-threads2-seed12345\s+written\s+6\s+120\s+30\s+\d+\.\d\s+\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('lists a failed set with its error underneath', async () => {
    const lines = await list('fashion@1');
    const index = lines.findIndex((line) => line.includes(FAILED_SET));
    expect(lines[index]).toMatch(/\sfailed\s+0\/4\s+0\/60\s+0\/60\s/);
    expect(lines[index + 1]).toBe('  error: datasets/fashion/packs/x.pack: not found');
  });

  it('prints JSON with every field', async () => {
    const parsed = JSON.parse((await list('fashion', true)).join('\n')) as { shardSets: Array<{ setId: string; trainRecords: number }>; unfinished: Array<{ state: string }> };
    expect(parsed.shardSets.map((set) => set.setId)).toEqual(['gzip-train4-validation2-threads2-seed12345']);
    expect(parsed.shardSets[0]!.trainRecords).toBe(120);
    expect(parsed.unfinished.map((progress) => progress.state)).toEqual(['SHARDING_STATE_FAILED']);
  });

  it('says how to write a set when there is none', async () => {
    expect(await list('never-sharded')).toEqual(['no shard sets; write one with inception shard --dataset never-sharded@VERSION']);
    expect(await list('never-sharded@1')).toEqual(['no shard sets; write one with inception shard --dataset never-sharded@1']);
  });

  it('names a dataset version that does not exist', async () => {
    await expect(list('fashion@9')).rejects.toThrow('dataset "fashion" has no version 9');
  });
});

describe('parseDatasetSelection', () => {
  it('reads a bare name as every version', () => {
    expect(parseDatasetSelection('flowers')).toEqual({ name: 'flowers', version: 0 });
  });

  it('reads one version', () => {
    expect(parseDatasetSelection('flowers@3')).toEqual({ name: 'flowers', version: 3 });
  });

  it.each(['flowers@0', 'flowers@', 'flowers@x', '@1'])('rejects %s', (text) => {
    expect(() => parseDatasetSelection(text)).toThrow(InvalidArgumentError);
  });

  it('names what is wrong with a name', () => {
    expect(() => parseDatasetSelection('Bad Name')).toThrow(`dataset name "Bad Name" is invalid: use 1–63 lower-case letters, digits, '-' or '_', starting with a letter or digit`);
  });
});
