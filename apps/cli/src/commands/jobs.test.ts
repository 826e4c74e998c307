import path from 'node:path';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { JobKind, JobSchema, JobState, ShardingService } from '@inception/proto';
import { createRpcClient, startRpcServer, type RpcServer } from '@inception/rpc';
import { startTestShardingServer, writeSampleDataset, type TestShardingServer } from '@inception/sharding/testing';
import { createLogger, createMetricsRegistry } from '@inception/telemetry';
import { repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { JobRunner, trainerHandlers, trainerMetrics } from '@inception/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../build-image-data/test-support/run-cli.js';
import { describeJobLine } from './jobs.js';

// A real trainer whose runner is never started, so a submitted job stays QUEUED until it is cancelled.

let objects: TestObjectStore;
let sharding: TestShardingServer;
let trainer: RpcServer;
let shardSetId: string;

function jobsCommand(...args: string[]): string[] {
  return ['jobs', '--trainer', trainer.address, ...args];
}

async function submitQueuedJob(): Promise<string> {
  const run = await runCli(['train', '--trainer', trainer.address, '--dataset', 'fashion@1', '--shard-set', shardSetId, '--steps', '10', '--json']);
  expect(run.stderr).toBe('');
  return (JSON.parse(run.stdout) as { id: string }).id;
}

beforeAll(async () => {
  objects = await startTestObjectStore();
  await writeSampleDataset(objects.store, { samplesDir: path.join(repoRoot, 'data/samples/fashion-mnist'), name: 'fashion', perClass: { train: 2, validation: 1 } });
  sharding = await startTestShardingServer(objects.store);
  const shardingClient = createRpcClient(ShardingService, sharding.server.address);
  const response = await shardingClient.shardDataset({ dataset: { name: 'fashion', version: 1 }, trainShards: 2, validationShards: 2, numThreads: 2 });
  shardingClient.close();
  shardSetId = response.shardSet!.setId;

  const logger = createLogger('test', 'silent');
  const runner = new JobRunner({ store: objects.store, logger, metrics: trainerMetrics(createMetricsRegistry('inception_trainer')), backend: 'cpu', logEverySteps: 1, preprocessConcurrency: 1, pollIntervalMs: 100 });
  trainer = await startRpcServer({ name: 'trainer', logger, services: [trainerHandlers(runner)] });
});

afterAll(async () => {
  await trainer?.shutdown();
  await sharding?.stop();
  await objects?.stop();
});

describe('inception jobs cancel', () => {
  it('cancels a queued job', async () => {
    const jobId = await submitQueuedJob();

    const run = await runCli(jobsCommand('cancel', jobId));

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`job ${jobId} cancelled\n`);
  });

  it('leaves an ended job as it is', async () => {
    const jobId = await submitQueuedJob();
    await runCli(jobsCommand('cancel', jobId));

    const run = await runCli(jobsCommand('cancel', jobId));

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`job ${jobId} already ended as cancelled; nothing was cancelled\n`);
  });

  it('says in JSON whether the job had ended', async () => {
    const jobId = await submitQueuedJob();

    const first = JSON.parse((await runCli(jobsCommand('cancel', jobId, '--json'))).stdout) as { alreadyEnded: boolean; job: { id: string; state: string } };
    const second = JSON.parse((await runCli(jobsCommand('cancel', jobId, '--json'))).stdout) as { alreadyEnded: boolean; job: { state: string } };

    expect(first.alreadyEnded).toBe(false);
    expect(first.job.id).toBe(jobId);
    expect(first.job.state).toBe('JOB_STATE_CANCELLED');
    expect(second.alreadyEnded).toBe(true);
    expect(second.job.state).toBe('JOB_STATE_CANCELLED');
  });

  it('fails on an unknown job id', async () => {
    const run = await runCli(jobsCommand('cancel', 'no-such-job'));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('job "no-such-job" not found');
  });
});

describe('inception jobs show', () => {
  it('shows how a cancelled job stopped', async () => {
    const jobId = await submitQueuedJob();
    await runCli(jobsCommand('cancel', jobId));

    const run = await runCli(jobsCommand('show', jobId));
    const firstLine = run.stdout.split('\n')[0];

    expect(run.exitCode).toBe(0);
    expect(firstLine).toMatch(new RegExp(`^${jobId}  train\\s+cancelled\\s+no steps yet  cancelled: by request before it started$`));
    expect(run.stdout).not.toContain('error:');
  });

  it('keeps the error field in JSON', async () => {
    const jobId = await submitQueuedJob();
    await runCli(jobsCommand('cancel', jobId));

    const run = await runCli(jobsCommand('show', jobId, '--json'));

    expect((JSON.parse(run.stdout) as { error: string }).error).toBe('cancelled before it started');
  });
});

describe('describeJobLine', () => {
  const started = timestampFromDate(new Date('2026-12-05T03:41:28Z'));

  it('shows the last step of a job cancelled while running', () => {
    const job = create(JobSchema, { id: 'job-1', state: JobState.CANCELLED, error: 'cancelled while running', startedAt: started, spec: { kind: JobKind.TRAIN }, lastStep: { step: 20, totalLoss: 2.5 } });

    expect(describeJobLine(job)).toBe('job-1  train     cancelled step 20 loss 2.500  cancelled: by request after step 20');
  });

  it('shows a cancelled evaluation as stopped while running', () => {
    const job = create(JobSchema, { id: 'job-2', state: JobState.CANCELLED, error: 'cancelled while running', startedAt: started, spec: { kind: JobKind.EVALUATE } });

    expect(describeJobLine(job)).toBe('job-2  evaluate  cancelled  cancelled: by request while running');
  });

  it('shows the error of a failed job', () => {
    const job = create(JobSchema, { id: 'job-3', state: JobState.FAILED, error: 'Model diverged with loss = NaN at step 3', startedAt: started, spec: { kind: JobKind.EVALUATE } });

    expect(describeJobLine(job)).toBe('job-3  evaluate  failed     error: Model diverged with loss = NaN at step 3');
  });
});

describe('inception jobs --json', () => {
  it('shows fields that hold zero values', async () => {
    const jobId = await submitQueuedJob();
    await runCli(jobsCommand('cancel', jobId));

    const run = await runCli(jobsCommand('show', jobId, '--json'));
    const job = JSON.parse(run.stdout) as Record<string, unknown>;

    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toContain('$typeName');
    expect(job.restoredTensors).toBe(0);
    expect(job.backend).toBe('');
    expect(job.checkpointFiles).toEqual([]);
  });

  it('prints one job per line when watching', async () => {
    const jobId = await submitQueuedJob();
    await runCli(jobsCommand('cancel', jobId));

    const run = await runCli(jobsCommand('watch', jobId, '--json'));
    const lines = run.stdout.trimEnd().split('\n');
    const job = JSON.parse(lines[0]!) as { id: string; state: string; restoredTensors: number };

    expect(run.exitCode).toBe(1);
    expect(lines).toHaveLength(1);
    expect(job.id).toBe(jobId);
    expect(job.state).toBe('JOB_STATE_CANCELLED');
    expect(job.restoredTensors).toBe(0);
  });
});

describe('inception jobs list', () => {
  it('takes the address from INCEPTION_TRAINER', async () => {
    const jobId = await submitQueuedJob();

    const run = await runCli(['jobs', 'list', '--json'], { INCEPTION_TRAINER: trainer.address });

    expect(run.exitCode).toBe(0);
    expect((JSON.parse(run.stdout) as { jobs: Array<{ id: string }> }).jobs.map((job) => job.id)).toContain(jobId);
  });
});

describe('inception train', () => {
  it.each([
    [['--image-size', '60'], '--image-size 60 is below the minimum 75'],
    [['--batch-size', '5000'], '--batch-size 5000 is above the limit 4096'],
  ])('names the option in the trainer\'s error for %j', async (options, message) => {
    const run = await runCli(['train', '--trainer', trainer.address, '--dataset', 'fashion@1', '--shard-set', shardSetId, '--steps', '10', ...options]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`inception: ${message}\n`);
  });

  it('says how to follow a queued job', async () => {
    const run = await runCli(['train', '--trainer', trainer.address, '--dataset', 'fashion@1', '--shard-set', shardSetId, '--steps', '10']);
    const jobId = /^(\S+)  /.exec(run.stdout)?.[1];
    await runCli(jobsCommand('cancel', jobId ?? 'missing'));

    expect(run.exitCode).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`follow it with: inception jobs watch ${jobId}`);
  });

  it('sends every recipe option it is given', async () => {
    const run = await runCli([
      'train', '--trainer', trainer.address, '--dataset', 'fashion@1', '--shard-set', shardSetId, '--steps', '10', '--json',
      '--learning-rate-decay-factor', '0.5', '--label-smoothing', '0.2', '--weight-decay', '0.001', '--checkpoint-every', '7', '--no-aux-logits', '--auto-batch-size',
    ]);
    const job = JSON.parse(run.stdout) as { id: string; spec: { config: Record<string, unknown> } };
    await runCli(jobsCommand('cancel', job.id));

    expect(run.exitCode).toBe(0);
    expect(job.spec.config).toMatchObject({ maxSteps: 10, learningRateDecayFactor: 0.5, labelSmoothing: 0.2, weightDecay: 0.001, checkpointEverySteps: 7, auxLogits: false, autoBatchSize: true });
  });
});
