import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ingestionServiceDefinition } from '@inception/ingestion';
import type { DatasetRef } from '@inception/proto';
import { IngestionService, ShardingService } from '@inception/proto';
import { GrpcStatus, ServiceError, startService, type StartedService } from '@inception/rpc';
import { shardingServiceDefinition } from '@inception/sharding';
import { makeTempDir, repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../clients.js';

// A sharding coordinator sends every WriteShard unit to a replica, which requires a write token:
// the coordinator's SERVICE_TOKEN decides whether the shard set can be written.

const USER_TOKEN = 'user-write-token-4e1a9c7b';
const SERVICE_WRITE_TOKEN = 'service-write-token-8d2f6b0e';
const SERVICE_READ_TOKEN = 'service-read-token-3c7e5a1d';

let harness: TestObjectStore;
let temp: { dir: string; remove: () => Promise<void> };
const started: StartedService[] = [];
let dataset: DatasetRef;
let env: NodeJS.ProcessEnv;
let replica: StartedService;

async function copySamples(target: string): Promise<void> {
  for (const split of ['train', 'validation']) {
    for (const className of ['bag', 'sandal']) {
      const source = path.join(repoRoot, 'data/samples/fashion-mnist', split, className);
      await mkdir(path.join(target, split, className), { recursive: true });
      for (const file of (await readdir(source)).sort().slice(0, 2)) await cp(path.join(source, file), path.join(target, split, className, file));
    }
  }
}

async function start(definition: Parameters<typeof startService>[0], extra: NodeJS.ProcessEnv = {}): Promise<StartedService> {
  const service = await startService(definition, { ...env, ...extra });
  started.push(service);
  return service;
}

/** Shards the dataset through a coordinator that calls the replica with `serviceToken`. */
async function shardThroughReplica(serviceToken: string, trainShards: number) {
  const coordinator = await start(shardingServiceDefinition, { SERVICE_TOKEN: serviceToken, SHARDING_WORKERS: `ipv4:${replica.server.address}`, SHARDING_UNIT_ATTEMPTS: '1' });
  const client = connect(ShardingService, coordinator.server.address, { timeoutMs: 60_000 }, { token: USER_TOKEN });
  try {
    return await client.shardDataset({ dataset, trainShards, validationShards: 2, numThreads: 2 });
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  harness = await startTestObjectStore();
  temp = await makeTempDir('inception-service-auth-');
  await copySamples(path.join(temp.dir, 'samples'));
  const tokensFile = path.join(temp.dir, 'tokens');
  await writeFile(tokensFile, `write ${USER_TOKEN}\nwrite ${SERVICE_WRITE_TOKEN}\nread ${SERVICE_READ_TOKEN}\n`);
  env = { S3_ENDPOINT: harness.s3.endpoint, S3_BUCKET: harness.store.bucket, GRPC_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent', AUTH_TOKENS_FILE: tokensFile, INGESTION_WORK_DIR: temp.dir };

  const ingestion = await start(ingestionServiceDefinition);
  const client = connect(IngestionService, ingestion.server.address, { timeoutMs: 60_000 }, { token: USER_TOKEN });
  const imported = await client.importDataset({ name: 'service-auth', trainSource: path.join(temp.dir, 'samples/train'), validationSource: path.join(temp.dir, 'samples/validation') });
  client.close();
  dataset = imported.dataset!.ref!;
  replica = await start(shardingServiceDefinition);
}, 120_000);

afterAll(async () => {
  for (const service of started.reverse()) await service.stop();
  await harness?.stop();
  await temp?.remove();
});

describe('sharding replicas behind bearer tokens', () => {
  it('accept WriteShard from a coordinator with a write service token', async () => {
    const response = await shardThroughReplica(SERVICE_WRITE_TOKEN, 2);
    expect(response.shardSet?.shards).toHaveLength(4);
  });

  it('reject WriteShard from a coordinator with a read service token', async () => {
    const error = (await shardThroughReplica(SERVICE_READ_TOKEN, 4).catch((caught: unknown) => caught)) as ServiceError;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toContain('/inception.v1.ShardingService/WriteShard needs scope write, but the token sent has scope read');
  });

  it('report the rejection as PERMISSION_DENIED', async () => {
    const error = (await shardThroughReplica(SERVICE_READ_TOKEN, 6).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.PERMISSION_DENIED);
  });
});
