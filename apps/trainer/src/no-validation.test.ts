import path from 'node:path';
import { create } from '@bufbuild/protobuf';
import { JobKind, JobSpecSchema, JobState, type Job } from '@inception/proto';
import { startTestShardingServer, writeSampleDataset, type TestShardingServer } from '@inception/sharding/testing';
import { layout } from '@inception/storage';
import { createLogger, createMetricsRegistry } from '@inception/telemetry';
import { repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { initBackend } from '@inception/tf-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, JobRunner } from './domain/job-runner.js';
import { trainerMetrics } from './metrics.js';

// Two steps of the smallest model on a dataset version imported without validation images.
const CONFIG = { imageSize: 75, depthMultiplier: 0.25, minDepth: 8, batchSize: 4, maxSteps: 2, seed: 1 };

let objects: TestObjectStore;
let sharding: TestShardingServer;
let runner: JobRunner;
let job: Job;

beforeAll(async () => {
  objects = await startTestObjectStore();
  await writeSampleDataset(objects.store, { samplesDir: path.join(repoRoot, 'data/samples/fashion-mnist'), name: 'no-validation', perClass: { train: 1, validation: 0 } });
  sharding = await startTestShardingServer(objects.store);
  const sharded = await sharding.client.shardDataset({ dataset: { name: 'no-validation', version: 1 } });

  const backend = await initBackend({});
  runner = new JobRunner({ store: objects.store, logger: createLogger('test', 'silent'), metrics: trainerMetrics(createMetricsRegistry('inception_trainer')), backend: backend.backend, logEverySteps: 1, preprocessConcurrency: 1, pollIntervalMs: 50 });
  runner.start();
  const submitted = await runner.submit(create(JobSpecSchema, { kind: JobKind.TRAIN, dataset: { name: 'no-validation', version: 1 }, shardSetId: sharded.shardSet!.setId, config: CONFIG }));
  job = await new Promise<Job>((resolve) => {
    const poll = async () => {
      const current = await runner.get(submitted.id);
      if (current && isTerminal(current.state)) resolve(current);
      else setTimeout(poll, 100);
    };
    void poll();
  });
}, 120_000);

afterAll(async () => {
  await runner?.shutdown();
  await sharding?.stop();
  await objects?.stop();
});

describe('a training job without validation images', () => {
  it('succeeds', () => {
    expect(job.error).toBe('');
    expect(job.state).toBe(JobState.SUCCEEDED);
  });

  it('records no evaluation', async () => {
    expect(job.eval).toBeUndefined();
    expect(await objects.store.exists(`${layout.runPrefix(job.id)}evaluation.json`)).toBe(false);
  });
});
