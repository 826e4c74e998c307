import { createHash } from 'node:crypto';
import path from 'node:path';
import { Classifier, registryHandlers, registryMetrics } from '@inception/model-registry';
import { JobKind, RegistryService, TrainerService } from '@inception/proto';
import { createRpcClient, GrpcStatus, ServiceError, startRpcServer, type RpcClient, type RpcServer } from '@inception/rpc';
import { startTestShardingServer, writeSampleDataset, type TestShardingServer } from '@inception/sharding/testing';
import { createLogger, createMetricsRegistry } from '@inception/telemetry';
import { repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../domain/job-runner.js';
import { trainerMetrics } from '../metrics.js';
import { trainerHandlers } from './handlers.js';

// A real trainer over s3rver whose runner is never started: SubmitJob checks the job's inputs
// and queues it, and these tests stop at the checks. A real registry contains the base version
// that an evaluation names, and a real sharding server writes the shard sets.

let objects: TestObjectStore;
let server: RpcServer;
let registryServer: RpcServer;
let registry: RpcClient<typeof RegistryService.method>;
let sharding: TestShardingServer;
let client: RpcClient<typeof TrainerService.method>;

beforeAll(async () => {
  objects = await startTestObjectStore();
  const samplesDir = path.join(repoRoot, 'data/samples/fashion-mnist');
  await writeSampleDataset(objects.store, { samplesDir, name: 'fashion', perClass: { train: 1, validation: 1 } });
  await writeSampleDataset(objects.store, { samplesDir, name: 'no-validation', perClass: { train: 2, validation: 0 } });
  sharding = await startTestShardingServer(objects.store);
  await sharding.client.shardDataset({ dataset: { name: 'no-validation', version: 1 } });

  const logger = createLogger('test', 'silent');
  registryServer = await startRpcServer({ name: 'registry', logger, services: [registryHandlers({ store: objects.store, metrics: registryMetrics(createMetricsRegistry('r')), classifier: new Classifier(objects.store) })] });
  registry = createRpcClient(RegistryService, registryServer.address);
  await objects.store.put('runs/job-1/weights.bin', 'weights');
  await registry.createVersion({ model: 'base', files: [{ key: 'runs/job-1/weights.bin', sizeBytes: 7n, sha256: createHash('sha256').update('weights').digest('hex') }], lineage: { jobId: 'job-1', hyperParameters: { imageSize: '75', depthMultiplier: '0.25', minDepth: '8' } } });

  const runner = new JobRunner({ store: objects.store, registry, logger, metrics: trainerMetrics(createMetricsRegistry('inception_trainer')), backend: 'cpu', logEverySteps: 1, preprocessConcurrency: 1, pollIntervalMs: 100 });
  server = await startRpcServer({ name: 'trainer', logger, services: [trainerHandlers(runner)] });
  client = createRpcClient(TrainerService, server.address);
});

afterAll(async () => {
  client?.close();
  registry?.close();
  await server?.shutdown();
  await registryServer?.shutdown();
  await sharding?.stop();
  await objects?.stop();
});

async function submitError(dataset: { name: string; version: number }, shardSetId: string): Promise<ServiceError> {
  const outcome = await client.submitJob({ spec: { kind: JobKind.TRAIN, dataset, shardSetId, config: { maxSteps: 1 } } }).catch((caught: unknown) => caught);
  expect(outcome).toBeInstanceOf(ServiceError);
  return outcome as ServiceError;
}

describe('SubmitJob inputs', () => {
  it('names a missing dataset version', async () => {
    const error = await submitError({ name: 'fashion', version: 7 }, 'none-train2-validation2-threads2-seed12345');

    expect(error.code).toBe(GrpcStatus.NOT_FOUND);
    expect(error.message).toBe('dataset fashion has no version 7; list its versions with inception dataset list fashion, or import one with inception dataset import');
  });

  it('names a missing dataset', async () => {
    const error = await submitError({ name: 'flowers', version: 1 }, 'none-train2-validation2-threads2-seed12345');

    expect(error.code).toBe(GrpcStatus.NOT_FOUND);
    expect(error.message).toContain('dataset flowers has no version 1');
  });

  it('names a missing shard set', async () => {
    const error = await submitError({ name: 'fashion', version: 1 }, 'none-train4-validation4-threads2-seed1');

    expect(error.code).toBe(GrpcStatus.NOT_FOUND);
    expect(error.message).toBe('shard set "none-train4-validation4-threads2-seed1" of dataset fashion v1 not found; write it with inception shard --dataset fashion@1');
  });
});

describe('SubmitJob of an evaluation', () => {
  it('rejects a shard set without validation images', async () => {
    const dataset = { name: 'no-validation', version: 1 };
    const outcome = await client.submitJob({ spec: { kind: JobKind.EVALUATE, dataset, shardSetId: 'none-train2-validation2-threads2-seed12345', baseModelVersion: 'base@1' } }).catch((caught: unknown) => caught);

    expect(outcome).toBeInstanceOf(ServiceError);
    expect((outcome as ServiceError).code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect((outcome as ServiceError).message).toContain('has no validation images, so there is nothing to evaluate');
  });
});
