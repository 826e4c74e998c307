import { create } from '@bufbuild/protobuf';
import { buildInceptionV3, largestBatchWithinMemory, summarizeModel, trainingMemoryProfile } from '@inception/inception';
import { JobKind, JobSchema, JobSpecSchema, TrainingConfigSchema } from '@inception/proto';
import { layout, type ShardSetManifest } from '@inception/storage';
import { createLogger, createMetricsRegistry } from '@inception/telemetry';
import { startTestObjectStore, type TestObjectStore } from '@inception/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainerMetrics } from '../metrics.js';
import { applyAutoBatchSize, chooseBatchSize, MEMORY_SAFETY_FACTOR, pendingAutoBatchSize, scaleLearningRate, WASM_HEAP_MAX_BYTES } from './batch-size.js';
import { HyperParameterError } from './hyper-parameters.js';
import { JobRunner } from './job-runner.js';

const SMALL_MODEL = { numClasses: 11, imageSize: 75, depthMultiplier: 0.25, minDepth: 8, auxLogits: false };
const GIB = 2 ** 30;
const logger = createLogger('test', 'silent');

function shardSetWith(trainRecords: number): ShardSetManifest {
  return {
    labels: ['a', 'b', 'c'],
    shards: [
      { split: 'train', records: trainRecords },
      { split: 'validation', records: 5 },
    ],
  } as unknown as ShardSetManifest;
}

function autoJob(config: Partial<{ batchSize: number; initialLearningRate: number }> = {}) {
  return create(JobSchema, {
    id: 'job-1',
    effectiveConfig: create(TrainingConfigSchema, { imageSize: 75, depthMultiplier: 0.25, minDepth: 8, auxLogits: false, maxSteps: 10, autoBatchSize: true, ...config }),
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('chooseBatchSize from the estimate', () => {
  it('fills the free memory on cpu up to the safety factor', async () => {
    const model = buildInceptionV3(SMALL_MODEL);
    const profile = trainingMemoryProfile(summarizeModel(model));
    model.dispose();

    const choice = await chooseBatchSize({ backend: 'cpu', model: SMALL_MODEL, maxBatchSize: 4096, freeMemoryBytes: GIB });

    expect(choice.method).toBe('estimate');
    expect(choice.budgetBytes).toBe(Math.floor(GIB * MEMORY_SAFETY_FACTOR));
    expect(choice.batchSize).toBe(largestBatchWithinMemory(profile, Math.floor(GIB * MEMORY_SAFETY_FACTOR), 4096));
  });

  it('budgets the wasm heap limit on wasm', async () => {
    const choice = await chooseBatchSize({ backend: 'wasm', model: SMALL_MODEL, maxBatchSize: 4096 });

    expect(choice.budgetSource).toBe('wasm heap limit');
    expect(choice.budgetBytes).toBeLessThanOrEqual(WASM_HEAP_MAX_BYTES * MEMORY_SAFETY_FACTOR);
  });

  // Measured on wasm: batch 2 of this model peaked at 2.97 GB of tensors, and batch 4 aborted the process.
  it('picks batch 2 for the full model on wasm', async () => {
    const choice = await chooseBatchSize({ backend: 'wasm', model: { numClasses: 1001 }, maxBatchSize: 4096 });

    expect(choice.batchSize).toBe(2);
  });

  it('stays within the maximum batch size', async () => {
    const choice = await chooseBatchSize({ backend: 'cpu', model: SMALL_MODEL, maxBatchSize: 24, freeMemoryBytes: 64 * GIB });

    expect(choice.batchSize).toBe(24);
  });

  it('rejects a device on which one image does not fit', async () => {
    await expect(chooseBatchSize({ backend: 'cpu', model: SMALL_MODEL, maxBatchSize: 64, freeMemoryBytes: 1_000_000 })).rejects.toThrow(HyperParameterError);
  });
});

describe('chooseBatchSize by probing', () => {
  it('takes the largest size that ran', async () => {
    const choice = await chooseBatchSize({ backend: 'tensorflow-gpu', model: SMALL_MODEL, maxBatchSize: 4096, tryBatch: async (batchSize) => batchSize <= 96 });

    expect(choice.method).toBe('probe');
    expect(choice.batchSize).toBe(96);
  });
});

describe('scaleLearningRate', () => {
  it('scales linearly from batch 32', () => {
    expect(scaleLearningRate(0.1, 64)).toBeCloseTo(0.2, 12);
    expect(scaleLearningRate(0.1, 8)).toBeCloseTo(0.025, 12);
  });
});

describe('pendingAutoBatchSize', () => {
  it('leaves the batch size open in the effective config', () => {
    const spec = create(JobSpecSchema, { kind: JobKind.TRAIN, config: { autoBatchSize: true } });

    expect(pendingAutoBatchSize(spec)).toEqual({ autoBatchSize: true, batchSize: 0 });
  });

  it('adds nothing without the flag', () => {
    expect(pendingAutoBatchSize(create(JobSpecSchema, { kind: JobKind.TRAIN, config: { batchSize: 16 } }))).toEqual({});
  });

  it('rejects a batch size beside the flag', () => {
    const spec = create(JobSpecSchema, { kind: JobKind.TRAIN, config: { autoBatchSize: true, batchSize: 64 } });

    expect(() => pendingAutoBatchSize(spec)).toThrow('config.batch_size 64 conflicts with config.auto_batch_size');
  });

  it('rejects evaluate jobs', () => {
    const spec = create(JobSpecSchema, { kind: JobKind.EVALUATE, config: { autoBatchSize: true } });

    expect(() => pendingAutoBatchSize(spec)).toThrow(HyperParameterError);
  });
});

describe('applyAutoBatchSize', () => {
  it('records the batch size and scaled learning rate', async () => {
    const job = autoJob({ initialLearningRate: 0.01 });

    const changed = await applyAutoBatchSize(job, shardSetWith(1000), 'tensorflow-gpu', logger, { tryBatch: async (batchSize) => batchSize <= 64 });

    expect(changed).toBe(true);
    expect(job.effectiveConfig?.batchSize).toBe(64);
    expect(job.effectiveConfig?.initialLearningRate).toBeCloseTo(0.02, 12);
  });

  it('scales the recipe rate when none is set', async () => {
    const job = autoJob();

    await applyAutoBatchSize(job, shardSetWith(1000), 'tensorflow-gpu', logger, { tryBatch: async (batchSize) => batchSize <= 16 });

    expect(job.effectiveConfig?.initialLearningRate).toBeCloseTo(0.05, 12);
  });

  it('limits the batch to one epoch of training examples', async () => {
    const job = autoJob();

    await applyAutoBatchSize(job, shardSetWith(10), 'cpu', logger, { freeMemoryBytes: 64 * GIB });

    expect(job.effectiveConfig?.batchSize).toBe(10);
  });

  it('keeps the batch size of a resumed job', async () => {
    const job = autoJob({ batchSize: 48, initialLearningRate: 0.15 });

    const changed = await applyAutoBatchSize(job, shardSetWith(1000), 'tensorflow-gpu', logger, { tryBatch: async () => true });

    expect(changed).toBe(false);
    expect(job.effectiveConfig?.batchSize).toBe(48);
  });
});

describe('JobRunner.submit with auto_batch_size', () => {
  let harness: TestObjectStore;
  let runner: JobRunner;

  beforeAll(async () => {
    harness = await startTestObjectStore();
    await harness.store.putJson(layout.shardSetManifest('auto', 1, 'set-1'), { ...shardSetWith(100), shards: [{ split: 'train', records: 100, key: 'shards/auto/v1/set-1/train-00000-of-00001' }] });
    runner = new JobRunner({ store: harness.store, logger, metrics: trainerMetrics(createMetricsRegistry('inception_trainer')), backend: 'cpu', logEverySteps: 10, preprocessConcurrency: 1, pollIntervalMs: 1000 });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  function autoSpec(config: Partial<{ batchSize: number; autoBatchSize: boolean }>, kind = JobKind.TRAIN) {
    return create(JobSpecSchema, { kind, dataset: { name: 'auto', version: 1 }, shardSetId: 'set-1', config: { maxSteps: 10, initialLearningRate: 0.02, ...config } });
  }

  it('leaves the batch size to the job start', async () => {
    const job = await runner.submit(autoSpec({ autoBatchSize: true }));

    expect(job.effectiveConfig?.autoBatchSize).toBe(true);
    expect(job.effectiveConfig?.batchSize).toBe(0);
    expect(job.effectiveConfig?.initialLearningRate).toBe(0.02);
  });

  it('rejects a batch size beside the flag', async () => {
    await expect(runner.submit(autoSpec({ autoBatchSize: true, batchSize: 8 }))).rejects.toThrow(HyperParameterError);
  });
});
