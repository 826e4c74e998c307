import path from 'node:path';
import { ShardingService } from '@inception/proto';
import { createRpcClient } from '@inception/rpc';
import { startTestShardingServer, writeSampleDataset, type TestShardingServer } from '@inception/sharding/testing';
import { type DatasetManifest } from '@inception/storage';
import { repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runTfrecordInspect } from './tfrecord-inspect.js';

// Shards written by the service, read back with `inception tfrecord inspect` over s3:// paths.

interface InspectedFile {
  file: string;
  recordCount: number;
  records: Array<{ features: Record<string, { values: Array<number | string | { text?: string; sha256?: string }> }> }>;
  error?: unknown;
}

let harness: TestObjectStore;
let sharding: TestShardingServer;
let manifest: DatasetManifest;
let shards: Array<{ split: string; key: string; records: number }>;
let inspected: InspectedFile[];

beforeAll(async () => {
  harness = await startTestObjectStore();
  manifest = await writeSampleDataset(harness.store, { samplesDir: path.join(repoRoot, 'data/samples/fashion-mnist'), name: 'fashion', perClass: { train: 10, validation: 4 } });
  sharding = await startTestShardingServer(harness.store);
  const client = createRpcClient(ShardingService, sharding.server.address);
  const response = await client.shardDataset({ dataset: { name: 'fashion', version: 1 }, trainShards: 4, validationShards: 2, numThreads: 2 });
  client.close();
  shards = response.shardSet!.shards.map((shard) => ({ split: shard.split, key: shard.object!.key, records: shard.records }));

  // The command reads S3_ENDPOINT and the credentials from the environment of this test process.
  process.env.S3_ENDPOINT = harness.s3.endpoint;
  process.env.S3_ACCESS_KEY = harness.s3.accessKey;
  process.env.S3_SECRET_KEY = harness.s3.secretKey;
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line));
  const status = await runTfrecordInspect(
    shards.map((shard) => `s3://${harness.store.bucket}/${shard.key}`),
    { json: true, compression: 'auto', full: false },
  );
  log.mockRestore();
  expect(status).toBe(0);
  inspected = JSON.parse(printed.join('\n')) as InspectedFile[];
});

afterAll(async () => {
  await sharding?.stop();
  await harness?.stop();
});

describe('shards read by inception tfrecord inspect', () => {
  it('reads every shard without damage', () => {
    expect(inspected.map((file) => file.error)).toEqual(shards.map(() => undefined));
  });

  it('counts the records of the manifest', () => {
    expect(inspected.map((file) => file.recordCount)).toEqual(shards.map((shard) => shard.records));
  });

  it('contains each dataset image once per split', () => {
    for (const split of ['train', 'validation'] as const) {
      const expected = manifest.images[split].map((image) => `${image.label} ${image.className} ${image.sha256}`).sort();
      const found = inspected
        .filter((_, index) => shards[index]!.split === split)
        .flatMap((file) => file.records)
        .map((record) => {
          const label = record.features['image/class/label']!.values[0];
          const text = (record.features['image/class/text']!.values[0] as { text: string }).text;
          const sha256 = (record.features['image/encoded']!.values[0] as { sha256: string }).sha256;
          return `${label} ${text} ${sha256}`;
        })
        .sort();
      expect(found, split).toEqual(expected);
    }
  });
});
