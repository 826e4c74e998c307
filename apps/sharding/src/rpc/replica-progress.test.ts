import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { Compression, ShardingState, type WatchShardingResponse } from '@inception/proto';
import { GrpcStatus, ServiceError } from '@inception/rpc';
import { layout } from '@inception/storage';
import { repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardSetId } from '../domain/plan.js';
import { progressRecordKey, type ProgressRecord } from '../storage/progress-record.js';
import { SetObserver } from '../storage/set-observer.js';
import { writeSampleDataset } from '../testing/sample-dataset.js';
import { counterValue, startTestShardingServer, type TestShardingServer } from '../testing/shard-sets.js';

const SAMPLES_DIR = path.join(repoRoot, 'data/samples/fashion-mnist');
const DATASET = { name: 'fashion', version: 1 };
const PER_CLASS = { train: 24, validation: 6 };
const REQUEST = { dataset: DATASET, trainShards: 16, validationShards: 4, numThreads: 4, compression: Compression.GZIP };
const SHARD_REQUEST = { trainShards: 16, validationShards: 4, numThreads: 4, compression: 'gzip' } as const;
/** Short enough for a test; a coordinator on "another host" is gone after STALE_MS without a new record. */
const STALE_MS = 1_000;
const TIMING = { intervalMs: 50, heartbeatMs: 100, staleMs: STALE_MS, pollMs: 50 };

let harness: TestObjectStore;
/** Runs sets one unit at a time, so a run lasts long enough to be watched from the other replica. */
let first: TestShardingServer;
let second: TestShardingServer;

const recordKeyOf = (seed: number) => progressRecordKey(layout.shardSetPrefix(DATASET.name, DATASET.version, shardSetId({ ...SHARD_REQUEST, seed })));

async function collect(stream: AsyncIterable<WatchShardingResponse>): Promise<{ messages: WatchShardingResponse[]; error?: ServiceError }> {
  const messages: WatchShardingResponse[] = [];
  try {
    for await (const message of stream) messages.push(message);
    return { messages };
  } catch (error) {
    return { messages, error: error as ServiceError };
  }
}

/** Builds the record of a running set as a coordinator on `host` would have written it at `updatedAt`. */
function runningRecord(seed: number, host: string, pid: number, updatedAt = new Date()): ProgressRecord {
  const counts = { shardsTotal: 10, shardsDone: 1, imagesTotal: 150, imagesWritten: 15 };
  return {
    formatVersion: 1,
    runId: randomUUID(),
    host,
    pid,
    updatedAt: updatedAt.toISOString(),
    progress: {
      dataset: DATASET,
      setId: shardSetId({ ...SHARD_REQUEST, seed }),
      state: 'running',
      splits: { train: counts, validation: { ...counts, shardsDone: 0, imagesWritten: 0 } },
      shardsTotal: 20,
      shardsDone: 1,
      imagesTotal: 300,
      imagesWritten: 15,
      bytesWritten: 1000,
      imagesPerSecond: 1,
      bytesPerSecond: 1,
      elapsedSeconds: 1,
      unitsInFlight: 1,
      attemptsFailed: 0,
      attemptsRetried: 0,
    },
    finishedShards: [],
  };
}

beforeAll(async () => {
  harness = await startTestObjectStore();
  await writeSampleDataset(harness.store, { samplesDir: SAMPLES_DIR, name: DATASET.name, perClass: PER_CLASS });
  first = await startTestShardingServer(harness.store, { concurrency: 1, progressRecordTiming: TIMING });
  second = await startTestShardingServer(harness.store, { progressRecordTiming: TIMING });
});

afterAll(async () => {
  await first?.stop();
  await second?.stop();
  await harness?.stop();
});

describe('WatchSharding on a replica that does not run the set', () => {
  let watched: Awaited<ReturnType<typeof collect>>;
  let shardKeys: string[];

  beforeAll(async () => {
    const watch = collect(second.client.watchSharding({ request: { ...REQUEST, seed: 1n }, waitForStart: true }));
    const response = await first.client.shardDataset({ ...REQUEST, seed: 1n });
    shardKeys = response.shardSet!.shards.map((shard) => shard.object!.key);
    watched = await watch;
  });

  it('streams the running set from its progress record', () => {
    expect(watched.error).toBeUndefined();
    const running = watched.messages.filter((message) => message.progress?.state === ShardingState.RUNNING);
    expect(running.length).toBeGreaterThan(0);
    expect(running[0]!.progress!.shardsTotal).toBe(20);
  });

  it('ends with the written set', () => {
    const last = watched.messages.at(-1)!.progress!;
    expect(last.state).toBe(ShardingState.SUCCEEDED);
    expect(last.shardsDone).toBe(20);
    expect(last.imagesWritten).toBe(300);
  });

  it('sends every published shard once', () => {
    const sent = watched.messages.flatMap((message) => message.finishedShards.map((shard) => shard.object!.key));
    expect(sent.sort()).toEqual([...shardKeys].sort());
  });

  it('deletes the record once the manifest is written', async () => {
    expect(await harness.store.exists(recordKeyOf(1))).toBe(false);
  });
});

describe('ShardDataset on a second replica while the first runs the set', () => {
  it('waits for that run instead of writing the shards again', async () => {
    const running = first.client.shardDataset({ ...REQUEST, seed: 2n });
    while (!(await harness.store.exists(recordKeyOf(2)))) await new Promise((resolve) => setTimeout(resolve, 5));

    const joined = await second.client.shardDataset({ ...REQUEST, seed: 2n });
    const original = await running;
    expect(joined.created).toBe(false);
    expect(joined.shardSet?.manifest?.sha256).toBe(original.shardSet?.manifest?.sha256);
    expect(await counterValue(second.metrics, 'inception_sharding_units_total', { outcome: 'started' })).toBe(0);
    expect(await counterValue(second.metrics, 'inception_sharding_shards_written_total')).toBe(0);
  });
});

describe('a failed run', () => {
  it('tells watchers on other replicas why it failed', async () => {
    const broken = { name: 'fashion-missing', version: 1 };
    const manifest = await writeSampleDataset(harness.store, { samplesDir: SAMPLES_DIR, name: broken.name, perClass: PER_CLASS });
    const missing = manifest.images.train[100]!;
    await harness.store.delete(missing.key);
    await first.client.shardDataset({ ...REQUEST, dataset: broken, seed: 3n }).catch(() => undefined);

    const watched = await collect(second.client.watchSharding({ dataset: broken, setId: shardSetId({ ...SHARD_REQUEST, seed: 3 }) }));
    expect(watched.error).toBeUndefined();
    expect(watched.messages).toHaveLength(1);
    expect(watched.messages[0]!.progress?.state).toBe(ShardingState.FAILED);
    expect(watched.messages[0]!.progress?.error).toContain(missing.key);
  });
});

describe('a coordinator that is gone', () => {
  it('ends WatchSharding with UNAVAILABLE naming it once its record stops changing', async () => {
    await harness.store.putJson(recordKeyOf(4), runningRecord(4, 'other-host', 4242));
    const watched = await collect(second.client.watchSharding({ dataset: DATASET, setId: shardSetId({ ...SHARD_REQUEST, seed: 4 }) }));
    expect(watched.messages.map((message) => message.progress?.state)).toEqual([ShardingState.RUNNING]);
    expect(watched.error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(watched.error?.message).toContain('other-host:4242');
  });

  it('is taken over by the next ShardDataset', async () => {
    await harness.store.putJson(recordKeyOf(5), runningRecord(5, 'other-host', 4242));
    const response = await second.client.shardDataset({ ...REQUEST, seed: 5n });
    expect(response.created).toBe(true);
    expect(response.shardSet?.shards).toHaveLength(20);
    expect(await harness.store.exists(recordKeyOf(5))).toBe(false);
  });

  it('on this host is not waited for', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    await harness.store.putJson(recordKeyOf(6), runningRecord(6, hostname(), deadPid));
    // This replica would wait ten minutes for a record from another host to age.
    const patient = await startTestShardingServer(harness.store, { progressRecordTiming: { ...TIMING, staleMs: 600_000 } });
    try {
      const response = await patient.client.shardDataset({ ...REQUEST, seed: 6n });
      expect(response.created).toBe(true);
    } finally {
      await patient.stop();
    }
  });
});

describe('SetObserver', () => {
  it('counts an old record as gone', async () => {
    await harness.store.putJson(recordKeyOf(7), runningRecord(7, 'other-host', 1, new Date(Date.now() - 2 * STALE_MS)));
    const observation = await new SetObserver(harness.store, DATASET, shardSetId({ ...SHARD_REQUEST, seed: 7 }), STALE_MS).observe();
    expect(observation).toMatchObject({ kind: 'recorded', alive: false });
  });

  it('ages a record from the future locally', async () => {
    await harness.store.putJson(recordKeyOf(8), runningRecord(8, 'other-host', 1, new Date(Date.now() + 3_600_000)));
    const observer = new SetObserver(harness.store, DATASET, shardSetId({ ...SHARD_REQUEST, seed: 8 }), STALE_MS);
    expect(await observer.observe()).toMatchObject({ kind: 'recorded', alive: true });
    await new Promise((resolve) => setTimeout(resolve, STALE_MS + 50));
    expect(await observer.observe()).toMatchObject({ kind: 'recorded', alive: false });
  });

  it('reports a set without record or manifest as absent', async () => {
    expect(await new SetObserver(harness.store, DATASET, shardSetId({ ...SHARD_REQUEST, seed: 9 }), STALE_MS).observe()).toEqual({ kind: 'absent' });
  });
});

describe('ListShardSets', () => {
  it('lists written sets from their manifests', async () => {
    const { shardSets } = await second.client.listShardSets({ dataset: DATASET });
    const written = shardSets.find((set) => set.setId === shardSetId({ ...SHARD_REQUEST, seed: 1 }));
    expect(written?.shards).toHaveLength(20);
    expect(written?.trainRecords).toBe(240);
    expect(Date.parse(written!.createdAt)).not.toBeNaN();
  });

  it('lists a set whose coordinator is gone as failed', async () => {
    const { unfinished } = await second.client.listShardSets({ dataset: DATASET });
    const abandoned = unfinished.find((progress) => progress.setId === shardSetId({ ...SHARD_REQUEST, seed: 4 }));
    expect(abandoned?.state).toBe(ShardingState.FAILED);
    expect(abandoned?.error).toContain('other-host:4242');
  });

  it('lists a failed set with its error', async () => {
    const { shardSets, unfinished } = await first.client.listShardSets({ dataset: { name: 'fashion-missing', version: 1 } });
    expect(shardSets).toEqual([]);
    expect(unfinished.map((progress) => progress.state)).toEqual([ShardingState.FAILED]);
    expect(unfinished[0]!.error).toContain('fashion-missing');
  });

  it('lists the sets of every version for version 0', async () => {
    const everyVersion = await second.client.listShardSets({ dataset: { name: DATASET.name, version: 0 } });
    const versionOne = await second.client.listShardSets({ dataset: DATASET });
    expect(everyVersion.shardSets.map((set) => set.setId)).toEqual(versionOne.shardSets.map((set) => set.setId));
  });

  it('returns empty lists for a dataset without sets', async () => {
    await writeSampleDataset(harness.store, { samplesDir: SAMPLES_DIR, name: 'never-sharded', perClass: { train: 1, validation: 1 } });
    const response = await second.client.listShardSets({ dataset: { name: 'never-sharded', version: 0 } });
    expect(response.shardSets).toEqual([]);
    expect(response.unfinished).toEqual([]);
  });

  it.each([
    ['a missing dataset', { name: 'no-such-dataset', version: 0 }, 'dataset "no-such-dataset" not found'],
    ['a missing version', { name: DATASET.name, version: 9 }, 'dataset "fashion" has no version 9'],
  ])('rejects %s with NOT_FOUND', async (_case, dataset, message) => {
    const error = (await second.client.listShardSets({ dataset }).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.NOT_FOUND);
    expect(error.message).toContain(message);
  });
});
