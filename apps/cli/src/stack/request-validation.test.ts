import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DescService } from '@bufbuild/protobuf';
import { ingestionServiceDefinition } from '@inception/ingestion';
import { registryServiceDefinition } from '@inception/model-registry';
import { Compression, IngestionService, JobKind, RegistryService, ShardingService, TrainerService } from '@inception/proto';
import { GrpcStatus, ServiceError, startService, type Scope, type ServiceScopes, type StartedService } from '@inception/rpc';
import { shardingServiceDefinition } from '@inception/sharding';
import { makeTempDir, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { trainerServiceDefinition } from '@inception/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../clients.js';

// The four services start in this process with their real wiring and a tokens file. Every RPC
// must reject a missing or invalid required field with INVALID_ARGUMENT naming the field, and
// must need the scope that its service's table declares.

const TOKENS: Record<Scope, string> = { read: 'read-token-5c0e2f7a9b1d', write: 'write-token-8a3f6c1e0d2b', admin: 'admin-token-1f4b7e2a9c3d' };

type ServiceKey = 'ingestion' | 'sharding' | 'registry' | 'trainer';

const DESCRIPTORS: Record<ServiceKey, DescService> = { ingestion: IngestionService, sharding: ShardingService, registry: RegistryService, trainer: TrainerService };
const DEFINITIONS = { ingestion: ingestionServiceDefinition, sharding: shardingServiceDefinition, registry: registryServiceDefinition, trainer: trainerServiceDefinition };
const SCOPES = Object.fromEntries(
  Object.entries(DEFINITIONS).map(([service, definition]) => [service, definition.scopes.find((table) => table.service.typeName === DESCRIPTORS[service as ServiceKey].typeName)!]),
) as Record<ServiceKey, ServiceScopes>;

let harness: TestObjectStore;
let temp: { dir: string; remove: () => Promise<void> };
const services = {} as Record<ServiceKey, StartedService>;

beforeAll(async () => {
  harness = await startTestObjectStore();
  temp = await makeTempDir('inception-validation-');
  const tokensFile = path.join(temp.dir, 'tokens');
  await writeFile(tokensFile, Object.entries(TOKENS).map(([scope, token]) => `${scope} ${token}`).join('\n'));
  const env = {
    S3_ENDPOINT: harness.s3.endpoint,
    S3_BUCKET: harness.store.bucket,
    GRPC_PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    AUTH_TOKENS_FILE: tokensFile,
    INGESTION_WORK_DIR: temp.dir,
  };
  for (const [service, definition] of Object.entries(DEFINITIONS)) {
    services[service as ServiceKey] = await startService(definition as never, env);
  }
}, 120_000);

afterAll(async () => {
  for (const service of Object.values(services)) await service.stop();
  await harness?.stop();
  await temp?.remove();
});

/** Calls `method` of a service with `request` (a list of messages for client streams) and returns how it ended. */
async function callOutcome(service: ServiceKey, method: string, request: unknown, token: string): Promise<ServiceError | 'OK'> {
  const descriptor = DESCRIPTORS[service];
  const client = connect(descriptor as never, services[service].server.address, { timeoutMs: 30_000 }, { token }) as unknown as Record<string, (...args: unknown[]) => unknown> & { close(): void };
  const kind = descriptor.methods.find((candidate) => candidate.localName === method)!.methodKind;
  try {
    if (kind === 'server_streaming') {
      for await (const _ of client[method]!(request) as AsyncIterable<unknown>) break;
    } else {
      await client[method]!(request);
    }
    return 'OK';
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  } finally {
    client.close();
  }
}

const DATASET = { name: 'flowers', version: 1 };
const SHA256 = 'a'.repeat(64);

/** Service, method, the field the message must name, and the request. */
const INVALID_REQUESTS: Array<[ServiceKey, string, string, unknown]> = [
  ['ingestion', 'importDataset', 'name', {}],
  ['ingestion', 'importDataset', 'name', { name: 'Flowers!', trainSource: '/tmp', validationSource: '/tmp' }],
  ['ingestion', 'importDataset', 'source', { name: 'flowers' }],
  ['ingestion', 'importDataset', 'validation_source', { name: 'flowers', trainSource: '/tmp' }],
  ['ingestion', 'uploadDataset', 'header', []],
  ['ingestion', 'uploadDataset', 'header', [{ part: { case: 'chunk', value: new Uint8Array(4) } }]],
  ['ingestion', 'uploadDataset', 'header.sha256', [{ part: { case: 'header', value: { name: 'flowers', fileName: 'a.tgz', sizeBytes: 10n, sha256: 'xyz', splitFolders: true } } }]],
  ['ingestion', 'watchImport', 'import_id', {}],
  ['ingestion', 'getDataset', 'dataset', {}],
  ['ingestion', 'getDataset', 'dataset.name', { dataset: { version: 1 } }],
  ['ingestion', 'getDataset', 'dataset.version', { dataset: { name: 'flowers' } }],
  ['ingestion', 'listDatasets', 'name', { name: 'Flowers!' }],
  ['sharding', 'shardDataset', 'dataset', {}],
  ['sharding', 'shardDataset', 'dataset.name', { dataset: { version: 1 } }],
  ['sharding', 'shardDataset', 'dataset.version', { dataset: { name: 'flowers' } }],
  ['sharding', 'shardDataset', 'compression', { dataset: DATASET, compression: 99 as Compression }],
  ['sharding', 'writeShard', 'dataset', {}],
  ['sharding', 'writeShard', 'split', { dataset: DATASET, split: 'test', shardKey: 'shards/flowers/v1/s/train-00000-of-00001' }],
  ['sharding', 'writeShard', 'shard_key', { dataset: DATASET, split: 'train' }],
  ['sharding', 'writeShard', 'shard_key', { dataset: DATASET, split: 'train', shardKey: 'models/elsewhere' }],
  ['sharding', 'watchSharding', 'dataset', {}],
  ['sharding', 'watchSharding', 'set_id', { dataset: DATASET }],
  ['sharding', 'listShardSets', 'dataset', {}],
  ['sharding', 'listShardSets', 'dataset.name', { dataset: { version: 1 } }],
  ['registry', 'createModel', 'name', {}],
  ['registry', 'createVersion', 'model', {}],
  ['registry', 'createVersion', 'lineage', { model: 'm' }],
  ['registry', 'createVersion', 'files[0].key', { model: 'm', lineage: {}, files: [{ sha256: SHA256 }] }],
  ['registry', 'createVersion', 'files[0].sha256', { model: 'm', lineage: {}, files: [{ key: 'runs/j/a.bin', sha256: 'abc' }] }],
  ['registry', 'getVersion', 'model', {}],
  ['registry', 'getVersion', 'version', { model: 'm' }],
  ['registry', 'listVersions', 'model', {}],
  ['registry', 'listVersions', 'page_size', { model: 'm', pageSize: 1_000_000 }],
  ['registry', 'getModel', 'name', {}],
  ['registry', 'setAlias', 'model', {}],
  ['registry', 'setAlias', 'alias', { model: 'm', version: 1 }],
  ['registry', 'setAlias', 'version', { model: 'm', alias: 'production' }],
  ['registry', 'deleteAlias', 'alias', { model: 'm' }],
  ['registry', 'deleteVersion', 'model', {}],
  ['registry', 'deleteVersion', 'version', { model: 'm' }],
  ['registry', 'classify', 'model', {}],
  ['registry', 'classify', 'image', { model: 'm', version: 1 }],
  ['trainer', 'submitJob', 'spec', {}],
  ['trainer', 'submitJob', 'spec.kind', { spec: { kind: JobKind.UNSPECIFIED, dataset: DATASET, shardSetId: 's' } }],
  ['trainer', 'submitJob', 'spec.dataset', { spec: { kind: JobKind.TRAIN, shardSetId: 's' } }],
  ['trainer', 'submitJob', 'spec.shard_set_id', { spec: { kind: JobKind.TRAIN, dataset: DATASET } }],
  ['trainer', 'submitJob', 'spec.base_model_version', { spec: { kind: JobKind.FINE_TUNE, dataset: DATASET, shardSetId: 's' } }],
  ['trainer', 'getJob', 'job_id', {}],
  ['trainer', 'cancelJob', 'job_id', {}],
  ['trainer', 'watchJob', 'job_id', {}],
];

/** RPCs whose every field is optional: an empty request succeeds. */
const NO_REQUIRED_FIELDS: Array<[ServiceKey, string]> = [
  ['ingestion', 'listDatasets'],
  ['registry', 'listModels'],
  ['trainer', 'listJobs'],
];

describe('request validation', () => {
  it.each(INVALID_REQUESTS)('%s.%s rejects an invalid %s (case %#)', async (service, method, field, request) => {
    const outcome = await callOutcome(service, method, request, TOKENS.admin);
    expect(outcome).toBeInstanceOf(ServiceError);
    expect((outcome as ServiceError).codeName).toBe('INVALID_ARGUMENT');
    expect((outcome as ServiceError).message).toContain(field);
  });

  it.each(NO_REQUIRED_FIELDS)('%s.%s accepts an empty request', async (service, method) => {
    expect(await callOutcome(service, method, {}, TOKENS.admin)).toBe('OK');
  });

  it('covers every RPC of every service', () => {
    const covered = new Set([...INVALID_REQUESTS.map(([service, method]) => `${service}.${method}`), ...NO_REQUIRED_FIELDS.map(([service, method]) => `${service}.${method}`)]);
    const all = Object.entries(DESCRIPTORS).flatMap(([service, descriptor]) => descriptor.methods.map((method) => `${service}.${method.localName}`));
    expect(all.filter((name) => !covered.has(name))).toEqual([]);
  });
});

const SCOPE_CASES = (Object.keys(DESCRIPTORS) as ServiceKey[]).flatMap((service) =>
  DESCRIPTORS[service].methods.map((method) => [service, method.localName, method.name, SCOPES[service].scopes.get(method.name)!] as const),
);

/** An empty request in the shape the method takes. */
function emptyRequest(service: ServiceKey, method: string): unknown {
  return DESCRIPTORS[service].methods.find((candidate) => candidate.localName === method)!.methodKind === 'client_streaming' ? [] : {};
}

describe('scopes of the service tables', () => {
  it.each(SCOPE_CASES)('%s.%s (%s) needs scope %s', async (service, method, _name, needed) => {
    for (const scope of ['read', 'write', 'admin'] as const) {
      const outcome = await callOutcome(service, method, emptyRequest(service, method), TOKENS[scope]);
      const denied = outcome instanceof ServiceError && outcome.code === GrpcStatus.PERMISSION_DENIED;
      const allowed = ['read', 'write', 'admin'].indexOf(scope) >= ['read', 'write', 'admin'].indexOf(needed);
      expect(denied, `${scope} token: ${outcome instanceof ServiceError ? outcome.message : outcome}`).toBe(!allowed);
    }
  });

  it.each(SCOPE_CASES)('%s.%s rejects a call without a token', async (service, method) => {
    const outcome = await callOutcome(service, method, emptyRequest(service, method), '');
    expect((outcome as ServiceError).code).toBe(GrpcStatus.UNAUTHENTICATED);
  });
});
