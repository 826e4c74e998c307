import path from 'node:path';
import { Compression, type ShardDatasetResponse } from '@inception/proto';
import type { ObjectStore } from '@inception/storage';
import { makeTempDir, repoRoot } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardSetId } from '../domain/plan.js';
import { exited, s3ProcessStore, startS3Process, startShardingProcess, type S3Process, type ShardingProcess } from '../testing/processes.js';
import { writeSampleDataset } from '../testing/sample-dataset.js';
import { counterValue, incompleteKeys, startTestShardingServer, storedShardDigests, type TestShardingServer } from '../testing/shard-sets.js';

// Two sharding processes share a run; one is killed with SIGKILL while it writes a unit.

const DATASET = { name: 'fashion', version: 1 };
const REQUEST = { dataset: DATASET, trainShards: 16, validationShards: 4, numThreads: 4, compression: Compression.NONE };
const SET_ID = shardSetId({ trainShards: 16, validationShards: 4, numThreads: 4, compression: 'none', seed: 12345 });

let temp: { dir: string; remove: () => Promise<void> };
let s3: S3Process;
let store: ObjectStore;
let referenceStore: ObjectStore;
let workers: ShardingProcess[];
let coordinator: TestShardingServer;
let response: ShardDatasetResponse;
let killed: { name: string; exit: string; unitsStartedBeforeKill: number };

beforeAll(async () => {
  temp = await makeTempDir('inception-worker-kill-');
  s3 = await startS3Process(path.join(temp.dir, 's3'), temp.dir);
  store = s3ProcessStore(s3);
  referenceStore = s3ProcessStore(s3, 'reference');
  await referenceStore.ensureBucket();
  const samples = { samplesDir: path.join(repoRoot, 'data/samples/fashion-mnist'), name: DATASET.name, perClass: { train: 40, validation: 10 } };
  await writeSampleDataset(store, samples);
  await writeSampleDataset(referenceStore, samples);

  const reference = await startTestShardingServer(referenceStore);
  await reference.client.shardDataset(REQUEST);
  await reference.stop();

  workers = [await startShardingProcess('sharding-a', s3.endpoint, temp.dir), await startShardingProcess('sharding-b', s3.endpoint, temp.dir)];
  // The second unit a worker starts is killed mid-write: by then at least one shard is done.
  const killDone = new Promise<void>((resolve) => {
    for (const worker of workers) {
      let started = 0;
      worker.onLogLine((line) => {
        if (line.msg !== 'shard unit started' || killed) return;
        started += 1;
        if (started < 2) return;
        killed = { name: worker.process.name, exit: '', unitsStartedBeforeKill: started };
        worker.process.child.kill('SIGKILL');
        void exited(worker.process).then((exit) => {
          killed.exit = exit;
          resolve();
        });
      });
    }
  });

  coordinator = await startTestShardingServer(store, { workersTarget: `ipv4:${workers.map((worker) => worker.address).join(',')}`, concurrency: 4, unitAttempts: 5, retryBackoffMs: 200 });
  response = await coordinator.client.shardDataset(REQUEST);
  await killDone;
}, 300_000);

afterAll(async () => {
  await coordinator?.stop();
  for (const worker of workers ?? []) await worker.process.stop(5_000);
  await s3?.process.stop(5_000);
  await temp?.remove();
});

describe('ShardDataset when a replica is killed mid-run', () => {
  it('kills a replica while it writes a unit', () => {
    expect(killed.exit).toBe('SIGKILL');
  });

  it('retries the unit the replica was writing', async () => {
    expect(await counterValue(coordinator.metrics, 'inception_sharding_units_total', { outcome: 'retried' })).toBeGreaterThan(0);
  });

  it('completes the set', () => {
    expect(response.shardSet?.shards.length).toBe(20);
    expect(response.shardSet?.trainRecords).toBe(400);
    expect(response.shardSet?.validationRecords).toBe(100);
  });

  it('writes shards identical to an uninterrupted run', async () => {
    expect(await storedShardDigests(store, DATASET, SET_ID)).toEqual(await storedShardDigests(referenceStore, DATASET, SET_ID));
  });

  it('leaves no temporary objects', async () => {
    expect(await incompleteKeys(store, DATASET, SET_ID)).toEqual([]);
  });
});
