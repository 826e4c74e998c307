import { createHash } from 'node:crypto';
import path from 'node:path';
import { Compression, ShardingService, ShardingState, type ShardDatasetResponse, type WatchShardingResponse } from '@inception/proto';
import { GrpcStatus, implement, ServiceError, silentLogger, startRpcServer, type RpcServer } from '@inception/rpc';
import { layout, ObjectStore, type DatasetManifest, type ShardSetManifest } from '@inception/storage';
import { repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { parseImageExample, parseRecordIndex, readTFRecords } from '@inception/tfrecord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planShardSet, shardSetId } from '../domain/plan.js';
import { writeSampleDataset } from '../testing/sample-dataset.js';
import { incompleteKeys, startTestShardingServer, storedShardDigests, type TestShardingServer } from '../testing/shard-sets.js';

const SAMPLES_DIR = path.join(repoRoot, 'data/samples/fashion-mnist');
const DATASET = { name: 'fashion', version: 1 };
// 240 training and 60 validation images in 12 + 4 units: enough units for both replicas.
const PER_CLASS = { train: 24, validation: 6 };
const REQUEST = { dataset: DATASET, trainShards: 12, validationShards: 4, numThreads: 4, compression: Compression.GZIP };
const SHARD_REQUEST = { trainShards: 12, validationShards: 4, numThreads: 4, compression: 'gzip', seed: 12345 } as const;
const SET_ID = shardSetId(SHARD_REQUEST);

let harness: TestObjectStore;
let referenceStore: ObjectStore;
let manifest: DatasetManifest;
let workers: TestShardingServer[];
let coordinator: TestShardingServer;
let local: TestShardingServer;
let distributed: ShardDatasetResponse;
let progressMessages: WatchShardingResponse[];

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

beforeAll(async () => {
  harness = await startTestObjectStore();
  // A second bucket on the same server contains the single-process run, under the same keys.
  referenceStore = new ObjectStore({ endpoint: harness.s3.endpoint, accessKey: harness.s3.accessKey, secretKey: harness.s3.secretKey, bucket: 'reference' });
  await referenceStore.ensureBucket();
  manifest = await writeSampleDataset(harness.store, { samplesDir: SAMPLES_DIR, name: DATASET.name, perClass: PER_CLASS });
  await writeSampleDataset(referenceStore, { samplesDir: SAMPLES_DIR, name: DATASET.name, perClass: PER_CLASS });

  local = await startTestShardingServer(referenceStore);
  await local.client.shardDataset(REQUEST);

  workers = [await startTestShardingServer(harness.store), await startTestShardingServer(harness.store)];
  coordinator = await startTestShardingServer(harness.store, { workersTarget: `ipv4:${workers.map((worker) => worker.server.address).join(',')}`, concurrency: 4 });
  const watch = (async () => {
    const messages: WatchShardingResponse[] = [];
    for await (const message of coordinator.client.watchSharding({ request: REQUEST, waitForStart: true })) messages.push(message);
    return messages;
  })();
  distributed = await coordinator.client.shardDataset(REQUEST);
  progressMessages = await watch;
});

afterAll(async () => {
  for (const server of [coordinator, ...(workers ?? []), local]) await server?.stop();
  await harness?.stop();
});

describe('ShardDataset over two replicas', () => {
  it('sends WriteShard units to both replicas', () => {
    const [first, second] = workers;
    expect(first!.calls.WriteShard ?? 0).toBeGreaterThan(0);
    expect(second!.calls.WriteShard ?? 0).toBeGreaterThan(0);
  });

  it('writes no unit in the coordinating process', () => {
    expect(coordinator.calls.WriteShard).toBeUndefined();
  });

  it('writes every planned shard', () => {
    expect(distributed.created).toBe(true);
    expect(distributed.shardSet?.shards.length).toBe(16);
    expect(distributed.shardSet?.trainRecords).toBe(240);
    expect(distributed.shardSet?.validationRecords).toBe(60);
  });

  it('writes shards identical to a single-process run', async () => {
    const expected = await storedShardDigests(referenceStore, DATASET, SET_ID);
    const actual = await storedShardDigests(harness.store, DATASET, SET_ID);
    expect(Object.keys(actual)).toHaveLength(16);
    expect(actual).toEqual(expected);
  });

  it('records the stored SHA-256 of every shard in the manifest', async () => {
    const stored = await storedShardDigests(harness.store, DATASET, SET_ID);
    const recorded = Object.fromEntries(distributed.shardSet!.shards.map((shard) => [shard.object!.key, shard.object!.sha256]));
    expect(recorded).toEqual(stored);
  });

  it('leaves no temporary objects', async () => {
    expect(await incompleteKeys(harness.store, DATASET, SET_ID)).toEqual([]);
  });

  it('writes each planned image into its shard in plan order', async () => {
    const units = planShardSet(manifest, SHARD_REQUEST);
    for (const unit of units) {
      const expected = unit.imagePositions.map((position) => {
        const image = manifest.images[unit.split][position]!;
        return `${image.label} ${image.className} ${image.sha256}`;
      });
      const found: string[] = [];
      for await (const record of readTFRecords(await harness.store.getStream(unit.shardKey), { fileName: unit.shardKey })) {
        const example = parseImageExample(record.data);
        found.push(`${example.label} ${example.text} ${sha256(example.encoded)}`);
      }
      expect(found, unit.shardKey).toEqual(expected);
    }
  });

  it('writes a record index that covers each shard', async () => {
    for (const shard of distributed.shardSet!.shards) {
      const locations = parseRecordIndex((await harness.store.getBytes(shard.index!.key)).toString('utf8'));
      expect(locations, shard.index!.key).toHaveLength(shard.records);
    }
  });

  it('streams progress until the set succeeds', () => {
    const last = progressMessages.at(-1)!.progress!;
    expect(last.state).toBe(ShardingState.SUCCEEDED);
    expect(last.shardsDone).toBe(16);
    expect(last.imagesWritten).toBe(300);
    expect(last.splits.map((split) => [split.split, split.imagesTotal])).toEqual([['train', 240], ['validation', 60]]);
  });

  it('streams every published shard once', () => {
    const keys = progressMessages.flatMap((message) => message.finishedShards.map((shard) => shard.object!.key));
    expect(keys.sort()).toEqual(distributed.shardSet!.shards.map((shard) => shard.object!.key).sort());
  });

  it('returns the existing set for a repeated request', async () => {
    const again = await coordinator.client.shardDataset(REQUEST);
    expect(again.created).toBe(false);
    expect(again.shardSet?.manifest?.sha256).toBe(distributed.shardSet?.manifest?.sha256);
  });

  it('answers WatchSharding for a written set from its manifest', async () => {
    const messages: WatchShardingResponse[] = [];
    for await (const message of workers[0]!.client.watchSharding({ dataset: DATASET, setId: SET_ID })) messages.push(message);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.progress?.state).toBe(ShardingState.SUCCEEDED);
    expect(messages[0]!.finishedShards).toHaveLength(16);
  });

  it('rejects WatchSharding for an unknown set with NOT_FOUND', async () => {
    const watch = async () => {
      for await (const _message of coordinator.client.watchSharding({ dataset: DATASET, setId: 'none-train1-validation1-threads1-seed1' })) {
        // Reading until the status arrives.
      }
    };
    const error = (await watch().catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.NOT_FOUND);
    expect(error.message).toContain('none-train1-validation1-threads1-seed1');
  });
});

describe('ShardDataset with a failing replica', () => {
  let broken: RpcServer;
  let brokenCalls = 0;
  let healthy: TestShardingServer;
  let retrying: TestShardingServer;
  let response: ShardDatasetResponse;
  const request = { ...REQUEST, seed: 7n };

  beforeAll(async () => {
    const fail = async (): Promise<never> => {
      throw ServiceError.internal('this replica is broken');
    };
    broken = await startRpcServer({
      name: 'broken',
      logger: silentLogger,
      services: [
        implement(ShardingService, {
          shardDataset: fail,
          writeShard: async () => {
            brokenCalls += 1;
            return fail();
          },
          watchSharding: fail,
          listShardSets: fail,
        }),
      ],
    });
    healthy = await startTestShardingServer(harness.store);
    // Two attempts per unit: a retry that went back to the broken replica would fail the set.
    retrying = await startTestShardingServer(harness.store, { workersTarget: `ipv4:${healthy.server.address},${broken.address}`, concurrency: 4, unitAttempts: 2 });
    response = await retrying.client.shardDataset(request);
  });

  afterAll(async () => {
    await retrying?.stop();
    await healthy?.stop();
    await broken?.shutdown();
  });

  it('sends first attempts to the failing replica too', () => {
    expect(brokenCalls).toBeGreaterThan(0);
  });

  it('retries each failed unit on the other replica', () => {
    expect(healthy.calls.WriteShard).toBe(16);
  });

  it('completes the set', () => {
    expect(response.shardSet?.shards.length).toBe(16);
  });

  it('writes the same shards as with healthy replicas only', async () => {
    const setId = shardSetId({ ...SHARD_REQUEST, seed: 7 });
    const reference = await startTestShardingServer(referenceStore);
    await reference.client.shardDataset(request);
    await reference.stop();
    expect(await storedShardDigests(harness.store, DATASET, setId)).toEqual(await storedShardDigests(referenceStore, DATASET, setId));
  });
});

describe('temporary objects', () => {
  const request = { ...REQUEST, seed: 99n };
  const setPrefix = layout.shardSetPrefix(DATASET.name, DATASET.version, shardSetId({ ...SHARD_REQUEST, seed: 99 }));

  it('removes those of attempts that died before the set was written', async () => {
    await harness.store.put(`${setPrefix}_incomplete/dead-attempt/train-00003-of-00012`, 'partial shard');
    await coordinator.client.shardDataset(request);
    expect(await incompleteKeys(harness.store, DATASET, shardSetId({ ...SHARD_REQUEST, seed: 99 }))).toEqual([]);
  });

  it('removes those left after the set was written', async () => {
    await harness.store.put(`${setPrefix}_incomplete/late-attempt/train-00004-of-00012`, 'partial shard');
    const again = await coordinator.client.shardDataset(request);
    expect(again.created).toBe(false);
    expect(await incompleteKeys(harness.store, DATASET, shardSetId({ ...SHARD_REQUEST, seed: 99 }))).toEqual([]);
  });

  it('removes those of a set that failed, and writes no manifest', async () => {
    const broken = 'fashion-missing';
    const brokenManifest = await writeSampleDataset(harness.store, { samplesDir: SAMPLES_DIR, name: broken, perClass: PER_CLASS });
    const missing = brokenManifest.images.train[100]!;
    await harness.store.delete(missing.key);
    const brokenSetId = shardSetId(SHARD_REQUEST);

    const error = (await coordinator.client.shardDataset({ ...REQUEST, dataset: { name: broken, version: 1 } }).catch((caught: unknown) => caught)) as ServiceError;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toContain(missing.key);
    expect(await harness.store.exists(layout.shardSetManifest(broken, 1, brokenSetId))).toBe(false);
    expect(await incompleteKeys(harness.store, { name: broken, version: 1 }, brokenSetId)).toEqual([]);
  });
});

describe('WriteShard', () => {
  const unit = () => {
    const planned = planShardSet(manifest, SHARD_REQUEST)[0]!;
    return { dataset: DATASET, split: planned.split, shardIndex: planned.shardIndex, numShards: planned.numShards, imagePositions: planned.imagePositions, shardKey: planned.shardKey.replace(SET_ID, 'idempotence'), compression: Compression.GZIP };
  };

  it('writes the same bytes when a unit is repeated', async () => {
    const first = await workers[0]!.client.writeShard(unit());
    const second = await workers[1]!.client.writeShard(unit());
    expect(second.shard?.object?.sha256).toBe(first.shard?.object?.sha256);
    expect(second.shard?.object?.sizeBytes).toBe(first.shard?.object?.sizeBytes);
  });

  it('names the replica that wrote the shard', async () => {
    const response = await workers[0]!.client.writeShard(unit());
    expect(response.replica).toMatch(/:\d+$/);
  });

  it('rejects an image position outside the split', async () => {
    const error = (await workers[0]!.client.writeShard({ ...unit(), imagePositions: [0, 240] }).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain('image position 240');
  });

  it('rejects a shard key that leaves its folder', async () => {
    const error = (await workers[0]!.client.writeShard({ ...unit(), shardKey: 'shards/fashion/v1/../../datasets/fashion/v1/manifest.json' }).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain('".." segment');
  });

  it('rejects a shard index beyond the shard count', async () => {
    const error = (await workers[0]!.client.writeShard({ ...unit(), shardIndex: 12, numShards: 12 }).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain('shard_index 12 must be below num_shards 12');
  });

  it('rejects a shard key outside the dataset', async () => {
    const error = (await workers[0]!.client.writeShard({ ...unit(), shardKey: 'shards/other/v1/x/train-00000-of-00001' }).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain('shards/other/v1/x/train-00000-of-00001');
  });
});

describe('shard set manifest', () => {
  it('lists shards in plan order', async () => {
    const stored = await harness.store.getJson<ShardSetManifest>(layout.shardSetManifest(DATASET.name, DATASET.version, SET_ID));
    expect(stored.shards.map((shard) => shard.key)).toEqual(planShardSet(manifest, SHARD_REQUEST).map((unit) => unit.shardKey));
  });
});
