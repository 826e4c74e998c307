import { createHash } from 'node:crypto';
import { Classifier, registryHandlers, registryMetrics } from '@inception/model-registry';
import { RegistryService } from '@inception/proto';
import { createRpcClient, startRpcServer, type RpcServer } from '@inception/rpc';
import { createLogger, createMetricsRegistry } from '@inception/telemetry';
import { startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../build-image-data/test-support/run-cli.js';

let objects: TestObjectStore;
let registry: RpcServer;

function modelsCommand(...args: string[]): string[] {
  return ['models', '--registry', registry.address, ...args];
}

beforeAll(async () => {
  objects = await startTestObjectStore();
  registry = await startRpcServer({
    name: 'registry',
    logger: createLogger('test', 'silent'),
    services: [registryHandlers({ store: objects.store, metrics: registryMetrics(createMetricsRegistry('r')), classifier: new Classifier(objects.store) })],
  });

  // Two versions of one file each; SetAlias checks only that the version exists.
  const client = createRpcClient(RegistryService, registry.address);
  const bytes = new TextEncoder().encode('checkpoint bytes');
  await objects.store.put('runs/job-1/checkpoint.bin', bytes);
  const file = { key: 'runs/job-1/checkpoint.bin', sizeBytes: BigInt(bytes.length), sha256: createHash('sha256').update(bytes).digest('hex') };
  for (let i = 0; i < 2; i++) await client.createVersion({ model: 'flowers', files: [file], lineage: { jobId: 'job-1', labels: ['daisy'] } });
  client.close();
});

afterAll(async () => {
  await registry?.shutdown();
  await objects?.stop();
});

describe('inception models alias', () => {
  it('prints the move', async () => {
    const run = await runCli(modelsCommand('alias', 'flowers', 'staging', '1'));

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('flowers@staging → 1 (new)\n');
  });

  it('prints JSON with --json', async () => {
    await runCli(modelsCommand('alias', 'flowers', 'production', '1'));

    const run = await runCli(modelsCommand('alias', 'flowers', 'production', '2', '--json'));
    const response = JSON.parse(run.stdout) as { alias: { name: string; version: number }; previousVersion: number };

    expect(run.exitCode).toBe(0);
    expect(response.alias.name).toBe('production');
    expect(response.alias.version).toBe(2);
    expect(response.previousVersion).toBe(1);
  });
});
