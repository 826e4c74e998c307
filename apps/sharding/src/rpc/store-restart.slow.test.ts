import path from 'node:path';
import { Compression, type ShardDatasetResponse } from '@inception/proto';
import type { ObjectStore } from '@inception/storage';
import { makeTempDir, repoRoot } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardSetId } from '../domain/plan.js';
import { exited, s3ProcessStore, startS3Process, startShardingProcess, type S3Process, type ShardingProcess } from '../testing/processes.js';
import { writeSampleDataset } from '../testing/sample-dataset.js';
import { counterValue, incompleteKeys, startTestShardingServer, storedShardDigests, type TestShardingServer } from '../testing/shard-sets.js';

// The object store's process is killed while a replica writes a unit, then started again on the
// same port and folder. The run must retry the unit and complete.

const DATASET = { name: 'fashion', version: 1 };
const REQUEST = { dataset: DATASET, trainShards: 16, validationShards: 4, numThreads: 4, compression: Compression.ZLIB };
const SET_ID = shardSetId({ trainShards: 16, validationShards: 4, numThreads: 4, compression: 'zlib', seed: 12345 });

let temp: { dir: string; remove: () => Promise<void> };
let s3: S3Process;
let restarted: S3Process;
let store: ObjectStore;
let referenceStore: ObjectStore;
let workers: ShardingProcess[];
let coordinator: TestShardingServer;
let response: ShardDatasetResponse;
let storeExit = '';

beforeAll(async () => {
  temp = await makeTempDir('inception-store-restart-');
  const dataDir = path.join(temp.dir, 's3');
  s3 = await startS3Process(dataDir, temp.dir);
  store = s3ProcessStore(s3);
  referenceStore = s3ProcessStore(s3, 'reference');
  await referenceStore.ensureBucket();
  const samples = { samplesDir: path.join(repoRoot, 'data/samples/fashion-mnist'), name: DATASET.name, perClass: { train: 40, validation: 10 } };
  await writeSampleDataset(store, samples);
  await writeSampleDataset(referenceStore, samples);

  const reference = await startTestShardingServer(referenceStore);
  await reference.client.shardDataset(REQUEST);
  await reference.stop();

  // One request per S3 operation in the replicas, so the outage fails the unit instead of being
  // absorbed by the object store client's own retries.
  const workerEnv = { S3_MAX_ATTEMPTS: '1' };
  workers = [await startShardingProcess('sharding-a', s3.endpoint, temp.dir, workerEnv), await startShardingProcess('sharding-b', s3.endpoint, temp.dir, workerEnv)];
  const restartDone = new Promise<void>((resolve, reject) => {
    let started = 0;
    for (const worker of workers) {
      worker.onLogLine((line) => {
        if (line.msg !== 'shard unit started') return;
        started += 1;
        // The second unit started in the run: the first is written or being written.
        if (started !== 2) return;
        s3.process.child.kill('SIGKILL');
        void exited(s3.process)
          .then(async (exit) => {
            storeExit = exit;
            restarted = await startS3Process(dataDir, temp.dir, s3.port);
          })
          .then(resolve, reject);
      });
    }
  });

  coordinator = await startTestShardingServer(store, { workersTarget: `ipv4:${workers.map((worker) => worker.address).join(',')}`, concurrency: 4, unitAttempts: 8, retryBackoffMs: 250 });
  response = await coordinator.client.shardDataset(REQUEST);
  await restartDone;
}, 300_000);

afterAll(async () => {
  await coordinator?.stop();
  for (const worker of workers ?? []) await worker.process.stop(5_000);
  await restarted?.process.stop(5_000);
  await s3?.process.stop(5_000);
  await temp?.remove();
});

describe('ShardDataset when the object store restarts mid-unit', () => {
  it('kills the object store during the run', () => {
    expect(storeExit).toBe('SIGKILL');
  });

  it('starts the store again on the same port', () => {
    expect(restarted.port).toBe(s3.port);
  });

  it('retries the failed units', async () => {
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
