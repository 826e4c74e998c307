import { createHash } from 'node:crypto';
import { RegistryService } from '@inception/proto';
import { createRpcClient, GrpcStatus, ServiceError, startRpcServer, type RpcClient, type RpcServer } from '@inception/rpc';
import { createLogger, createMetricsRegistry } from '@inception/telemetry';
import { startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryMetrics } from './metrics.js';
import { registryHandlers } from './rpc/handlers.js';

let harness: TestObjectStore;
let server: RpcServer;
let client: RpcClient<typeof RegistryService.method>;

async function stageFile(key: string, text: string) {
  const bytes = Buffer.from(text);
  await harness.store.put(key, bytes);
  return { key, sizeBytes: BigInt(bytes.length), sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function createVersions(model: string, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    const file = await stageFile(`runs/job-${model}-${index}/checkpoints/step-1/tensors.bin`, `weights ${model} ${index}`);
    await client.createVersion({ model, files: [file], lineage: { jobId: `job-${index}`, steps: 1 } });
  }
}

function statusOf(error: unknown): GrpcStatus {
  expect(error).toBeInstanceOf(ServiceError);
  return (error as ServiceError).code;
}

beforeAll(async () => {
  harness = await startTestObjectStore();
  server = await startRpcServer({ name: 'registry', logger: createLogger('test', 'silent'), services: [registryHandlers({ store: harness.store, metrics: registryMetrics(createMetricsRegistry('r')) })] });
  client = createRpcClient(RegistryService, server.address);
});

afterAll(async () => {
  client.close();
  await server.shutdown();
  await harness.stop();
});

describe('registry versions and aliases', () => {
  it('numbers versions 1, 2, 3 per model', async () => {
    await createVersions('numbers', 3);
    const model = await client.getModel({ name: 'numbers' });
    expect(model.versions).toEqual([1, 2, 3]);
  });

  it('pages through versions', async () => {
    await createVersions('paged', 5);
    const first = await client.listVersions({ model: 'paged', pageSize: 2 });
    const second = await client.listVersions({ model: 'paged', pageSize: 2, pageToken: first.nextPageToken });
    const third = await client.listVersions({ model: 'paged', pageSize: 2, pageToken: second.nextPageToken });
    expect(first.versions.map((version) => version.version)).toEqual([1, 2]);
    expect(second.versions.map((version) => version.version)).toEqual([3, 4]);
    expect(third.versions.map((version) => version.version)).toEqual([5]);
    expect(third.nextPageToken).toBe('');
  });

  it('leaves concurrent alias moves on one requested version', async () => {
    await createVersions('race', 4);
    const clients = Array.from({ length: 8 }, () => createRpcClient(RegistryService, server.address));
    const responses = await Promise.all(clients.map((each, index) => each.setAlias({ model: 'race', alias: 'production', version: (index % 4) + 1 })));
    clients.forEach((each) => each.close());

    const final = (await client.getModel({ name: 'race' })).aliases.find((alias) => alias.name === 'production');
    const last = responses.find((response) => response.alias?.version === final?.version);
    expect([1, 2, 3, 4]).toContain(final?.version);
    expect(last).toBeDefined();
    // Serialised moves form one chain: each response's previous version is another response's version (or 0 for the first).
    const versionsSeen = new Set([0, ...responses.map((response) => response.alias!.version)]);
    for (const response of responses) expect(versionsSeen.has(response.previousVersion)).toBe(true);
    expect(responses.filter((response) => response.previousVersion === 0)).toHaveLength(1);
  });

  it('moves a protected alias only with force', async () => {
    await createVersions('guarded', 2);
    await client.setAlias({ model: 'guarded', alias: 'production', version: 1, protect: true });
    const refused = await client.setAlias({ model: 'guarded', alias: 'production', version: 2 }).catch((error: unknown) => error);
    expect(statusOf(refused)).toBe(GrpcStatus.FAILED_PRECONDITION);
    const forced = await client.setAlias({ model: 'guarded', alias: 'production', version: 2, force: true });
    expect(forced.previousVersion).toBe(1);
    expect(forced.alias?.protected).toBe(true);
  });

  it('rejects deleting a version an alias names', async () => {
    await createVersions('pinned', 2);
    await client.setAlias({ model: 'pinned', alias: 'staging', version: 2 });
    const refused = await client.deleteVersion({ model: 'pinned', version: 2 }).catch((error: unknown) => error);
    expect(statusOf(refused)).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect((refused as ServiceError).message).toContain('staging');
    await client.deleteVersion({ model: 'pinned', version: 1 });
    expect((await client.getModel({ name: 'pinned' })).versions).toEqual([2]);
  });

  it('detects a file corrupted behind its back', async () => {
    await createVersions('tampered', 1);
    const version = (await client.getVersion({ model: 'tampered', version: 1 })).version!;
    await harness.store.put(version.files[0]!.key, 'something else entirely');
    const error = await client.getVersion({ model: 'tampered', version: 1 }).catch((caught: unknown) => caught);
    expect(statusOf(error)).toBe(GrpcStatus.DATA_LOSS);
    expect((error as ServiceError).message).toContain(version.files[0]!.key);
  });

  it('rejects a checkpoint whose digest does not match', async () => {
    const file = await stageFile('runs/job-x/checkpoints/step-1/tensors.bin', 'real bytes');
    const error = await client.createVersion({ model: 'mismatch', files: [{ ...file, sha256: '0'.repeat(64) }], lineage: { jobId: 'x' } }).catch((caught: unknown) => caught);
    expect(statusOf(error)).toBe(GrpcStatus.DATA_LOSS);
  });

  it('rejects an unknown version for an alias', async () => {
    await createVersions('unknown', 1);
    const error = await client.setAlias({ model: 'unknown', alias: 'production', version: 9 }).catch((caught: unknown) => caught);
    expect(statusOf(error)).toBe(GrpcStatus.NOT_FOUND);
    expect((error as ServiceError).message).toBe('model "unknown" has no version 9; list them with inception models list unknown');
  });
});
