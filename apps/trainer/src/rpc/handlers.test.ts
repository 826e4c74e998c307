import path from 'node:path';
import { JobKind, TrainerService } from '@inception/proto';
import { createRpcClient, GrpcStatus, ServiceError, startRpcServer, type RpcClient, type RpcServer } from '@inception/rpc';
import { writeSampleDataset } from '@inception/sharding/testing';
import { createLogger, createMetricsRegistry } from '@inception/telemetry';
import { repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../domain/job-runner.js';
import { trainerMetrics } from '../metrics.js';
import { trainerHandlers } from './handlers.js';

// A real trainer over s3rver whose runner is never started: SubmitJob checks the job's inputs
// and queues it, and these tests stop at the checks.

let objects: TestObjectStore;
let server: RpcServer;
let client: RpcClient<typeof TrainerService.method>;

beforeAll(async () => {
  objects = await startTestObjectStore();
  await writeSampleDataset(objects.store, { samplesDir: path.join(repoRoot, 'data/samples/fashion-mnist'), name: 'fashion', perClass: { train: 1, validation: 1 } });
  const logger = createLogger('test', 'silent');
  const runner = new JobRunner({ store: objects.store, logger, metrics: trainerMetrics(createMetricsRegistry('inception_trainer')), backend: 'cpu', logEverySteps: 1, preprocessConcurrency: 1, pollIntervalMs: 100 });
  server = await startRpcServer({ name: 'trainer', logger, services: [trainerHandlers(runner)] });
  client = createRpcClient(TrainerService, server.address);
});

afterAll(async () => {
  client?.close();
  await server?.shutdown();
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
