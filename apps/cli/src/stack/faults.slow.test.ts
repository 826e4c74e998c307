import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobKind, JobState, type DatasetRef, type Job } from '@inception/proto';
import { GrpcStatus, ServiceError, waitUntilServing } from '@inception/rpc';
import { layout } from '@inception/storage';
import { makeTempDir, repoRoot } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clients } from '../clients.js';
import { checkManifests } from './manifest-check.js';
import { startSecuredStack, type SecuredStack } from './secured-stack.js';

// Real processes under faults. The stack runs with bearer tokens and mutual TLS, and the S3
// server or the trainer is killed or restarted in the middle of an operation. Each operation
// must complete after recovery or fail with a clear status. Every manifest must list only whole
// objects.

const CLASSES = ['bag', 'sandal', 'trouser'];
const TERMINAL = new Set([JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED]);

let temp: { dir: string; remove: () => Promise<void> };
let secured: SecuredStack;
let clients: Clients;
let dataset: DatasetRef;
let shardSetId: string;

async function copySamples(target: string): Promise<void> {
  for (const [split, count] of [['train', 6], ['validation', 2]] as const) {
    for (const className of CLASSES) {
      const source = path.join(repoRoot, 'data/samples/fashion-mnist', split, className);
      await mkdir(path.join(target, split, className), { recursive: true });
      for (const file of (await readdir(source)).sort().slice(0, count)) {
        await cp(path.join(source, file), path.join(target, split, className, file));
      }
    }
  }
}

/** Polls `condition` every 20 ms until it holds; fails after `limitMs` so a broken setup cannot hang the suite. */
async function waitFor(what: string, condition: () => Promise<boolean>, limitMs = 120_000): Promise<void> {
  const deadlineMs = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadlineMs) throw new Error(`${what} did not happen within ${limitMs} ms`);
    await sleep(20);
  }
}

async function objectCount(prefix: string): Promise<number> {
  let count = 0;
  for await (const _ of secured.store.list(prefix)) count += 1;
  return count;
}

/**
 * Follows a job to its end, opening WatchJob again after each UNAVAILABLE, and returns the last
 * state with the interruptions seen.
 */
async function followJob(jobId: string): Promise<{ job: Job; interruptions: ServiceError[] }> {
  const interruptions: ServiceError[] = [];
  let job: Job | undefined;
  while (!job || !TERMINAL.has(job.state)) {
    try {
      for await (const update of clients.trainer.watchJob({ jobId })) job = update.job;
    } catch (error) {
      if (!(error instanceof ServiceError) || error.code !== GrpcStatus.UNAVAILABLE) throw error;
      interruptions.push(error);
      const status = await waitUntilServing(secured.stack.services.trainer.grpc, 60_000, 200, secured.stack.credentials);
      if (status !== 'SERVING') throw new Error(`the trainer stayed ${status} after ${interruptions.length} interruptions; see ${secured.stack.logDir}/trainer.log`, { cause: error });
    }
  }
  return { job, interruptions };
}

function trainingSpec(maxSteps: number, checkpointEverySteps: number, registerModel = '') {
  return {
    kind: JobKind.TRAIN,
    dataset,
    shardSetId,
    config: { imageSize: 75, depthMultiplier: 0.25, minDepth: 8, batchSize: 4, maxSteps, initialLearningRate: 0.01, numEpochsPerDecay: 1, checkpointEverySteps, batchNormDecay: 0.9, movingAverageDecay: 0.9, seed: 5 },
    registerModel,
  };
}

async function expectWholeManifests(): Promise<void> {
  const check = await checkManifests(secured.store);
  expect(check.problems).toEqual([]);
  expect(check.references).toBeGreaterThan(0);
}

beforeAll(async () => {
  temp = await makeTempDir('inception-faults-');
  await copySamples(path.join(temp.dir, 'samples'));
  secured = await startSecuredStack({ dataDir: path.join(temp.dir, 'stack'), mutualTls: true, env: { LOG_LEVEL: 'info', TRAINER_LOG_EVERY_STEPS: '1' } });
  clients = secured.connect();
  const imported = await clients.ingestion.importDataset({ name: 'faults', trainSource: path.join(temp.dir, 'samples/train'), validationSource: path.join(temp.dir, 'samples/validation') });
  dataset = imported.dataset!.ref!;
  const sharded = await clients.sharding.shardDataset({ dataset, trainShards: 2, validationShards: 2 });
  shardSetId = sharded.shardSet!.setId;
});

afterAll(async () => {
  clients?.close();
  await secured?.stack.stop();
  await temp?.remove();
});

describe('S3 server restarted during a registry CreateVersion', () => {
  const model = 'fault-copy';
  let files: Array<{ key: string; sizeBytes: bigint; sha256: string }>;
  let outcome: { code: string; message: string };

  it('completes or fails with UNAVAILABLE', async () => {
    files = [];
    for (let index = 0; index < 6; index++) {
      const bytes = randomBytes(8 * 1024 * 1024);
      const key = `runs/fault-source/checkpoints/step-1/part-${index}.bin`;
      await secured.store.put(key, bytes);
      files.push({ key, sizeBytes: BigInt(bytes.length), sha256: createHash('sha256').update(bytes).digest('hex') });
    }

    const creating = clients.registry.createVersion({ model, files, lineage: { jobId: 'fault-source' } }).then(
      () => ({ code: 'OK', message: '' }),
      (error: ServiceError) => ({ code: error.codeName, message: error.message }),
    );
    // The version's first file has been copied, so the registry is in the middle of the copy.
    await waitFor('the first copied file', async () => (await objectCount(`models/${model}/versions/`)) > 0);
    await secured.stack.restartService('s3', { kill: true });
    outcome = await creating;
    console.info(`CreateVersion across an S3 kill and restart ended ${outcome.code}${outcome.message ? `: ${outcome.message}` : ''}`);
    expect(['OK', 'UNAVAILABLE']).toContain(outcome.code);
  });

  it('leaves a version that lists whole files', async () => {
    if (outcome.code !== 'OK') {
      expect(outcome.message).toContain('object store unavailable');
      await clients.registry.createVersion({ model, files, lineage: { jobId: 'fault-source' } });
    }
    const listed = await clients.registry.listVersions({ model });
    expect(listed.versions.length).toBeGreaterThan(0);
    await expectWholeManifests();
  });
});

describe('S3 server restarted during checkpoint writes', () => {
  let finished: Job;

  it('lets the job finish or fail with a message', async () => {
    const submitted = await clients.trainer.submitJob({ spec: trainingSpec(40, 1, 'fault-trained') });
    const jobId = submitted.job!.id;
    // A checkpoint every step: once two exist, the next one is being written most of the time.
    await waitFor('two checkpoints', async () => (await secured.store.listPrefixes(`${layout.runPrefix(jobId)}checkpoints/`)).length >= 2, 300_000);
    await secured.stack.restartService('s3', { kill: true });

    const followed = await followJob(jobId);
    finished = followed.job;
    console.info(`training across an S3 kill and restart ended ${JobState[finished.state]} at step ${finished.lastStep?.step} after ${followed.interruptions.length} stream interruptions${finished.error ? `: ${finished.error}` : ''}`);
    expect([JobState.SUCCEEDED, JobState.FAILED]).toContain(finished.state);
    if (finished.state === JobState.FAILED) expect(finished.error).not.toBe('');
  });

  it('points the job at a complete checkpoint', async () => {
    expect(finished.checkpointPrefix).not.toBe('');
    expect(await secured.store.exists(`${finished.checkpointPrefix}checkpoint.json`)).toBe(true);
  });

  it('registers the model over mutual TLS with the service token', async () => {
    if (finished.state !== JobState.SUCCEEDED) return;
    expect(finished.modelVersion).toMatch(/^fault-trained@\d+$/);
  });

  it('leaves only manifests that list whole objects', async () => {
    await expectWholeManifests();
  });
});

describe('trainer restarted while a client watches a job', () => {
  it.each([
    ['stopped with SIGTERM', false],
    ['killed with SIGKILL', true],
  ])('%s: the stream ends with UNAVAILABLE and a new one follows the job to its end', async (_case, kill) => {
    const submitted = await clients.trainer.submitJob({ spec: trainingSpec(30, 5) });
    const jobId = submitted.job!.id;
    const stream = clients.trainer.watchJob({ jobId })[Symbol.asyncIterator]();
    let stepBeforeRestart = 0;
    for (let next = await stream.next(); !next.done; next = await stream.next()) {
      stepBeforeRestart = next.value.job?.lastStep?.step ?? 0;
      if (stepBeforeRestart >= 6) break;
    }

    const restarting = secured.stack.restartService('trainer', { kill });
    let streamError: unknown;
    try {
      for (let next = await stream.next(); !next.done; next = await stream.next()) {
        // Updates sent before the stop arrive first.
      }
    } catch (error) {
      streamError = error;
    }
    await restarting;
    expect((streamError as ServiceError).code).toBe(GrpcStatus.UNAVAILABLE);

    const { job } = await followJob(jobId);
    expect(job.state).toBe(JobState.SUCCEEDED);
    expect(job.lastStep?.step).toBeGreaterThan(stepBeforeRestart);
  });

  it('leaves only manifests that list whole objects', async () => {
    await expectWholeManifests();
  });
});
