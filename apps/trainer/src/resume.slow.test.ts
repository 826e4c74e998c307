import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createClients, startStack, type Clients, type Stack } from '@inception/cli';
import { JobKind, JobState, type Job } from '@inception/proto';
import { layout, ObjectStore } from '@inception/storage';
import { makeTempDir, repoRoot } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointManifest } from './storage/checkpoint-store.js';

const CLASSES = ['bag', 'sandal', 'trouser'];
const MAX_STEPS = 30;
const CHECKPOINT_EVERY_STEPS = 5;
const KILL_AFTER_STEP = 12;

let stack: Stack;
let clients: Clients;
let store: ObjectStore;
let temp: { dir: string; remove: () => Promise<void> };

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

/** Parses the trainer's JSON log lines with the given message. */
async function trainerLogLines(message: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path.join(stack.logDir, 'trainer.log'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === message);
}

beforeAll(async () => {
  temp = await makeTempDir('inception-resume-');
  await copySamples(path.join(temp.dir, 'samples'));
  stack = await startStack({ dataDir: path.join(temp.dir, 'stack'), env: { ...process.env, LOG_LEVEL: 'info', TRAINER_LOG_EVERY_STEPS: '1' } });
  clients = createClients({ ingestion: stack.services.ingestion.grpc, sharding: stack.services.sharding.grpc, registry: stack.services.registry.grpc, trainer: stack.services.trainer.grpc });
  store = new ObjectStore({ endpoint: stack.s3Endpoint, accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: stack.bucket });
});

afterAll(async () => {
  clients?.close();
  await stack?.stop();
  await temp?.remove();
});

describe('trainer killed mid-job', () => {
  let jobId: string;
  let checkpointBeforeKill: CheckpointManifest;
  let finished: Job;

  it('resumes from its newest checkpoint and finishes', async () => {
    const imported = await clients.ingestion.importDataset({ name: 'resume', trainSource: path.join(temp.dir, 'samples/train'), validationSource: path.join(temp.dir, 'samples/validation') });
    const sharded = await clients.sharding.shardDataset({ dataset: imported.dataset!.ref, trainShards: 2, validationShards: 2 });
    const submitted = await clients.trainer.submitJob({
      spec: {
        kind: JobKind.TRAIN,
        dataset: imported.dataset!.ref,
        shardSetId: sharded.shardSet!.setId,
        config: { imageSize: 75, depthMultiplier: 0.25, minDepth: 8, batchSize: 4, maxSteps: MAX_STEPS, initialLearningRate: 0.01, numEpochsPerDecay: 1, checkpointEverySteps: CHECKPOINT_EVERY_STEPS, batchNormDecay: 0.9, movingAverageDecay: 0.9, seed: 3 },
        registerModel: 'resume-model',
      },
    });
    jobId = submitted.job!.id;

    for await (const update of clients.trainer.watchJob({ jobId })) {
      if ((update.job?.lastStep?.step ?? 0) >= KILL_AFTER_STEP) break;
    }
    stack.processes.get('trainer')!.child.kill('SIGKILL');
    await new Promise((resolve) => stack.processes.get('trainer')!.child.once('exit', resolve));

    const checkpointPrefixes = await store.listPrefixes(`${layout.runPrefix(jobId)}checkpoints/`);
    const newest = Math.max(...checkpointPrefixes.map((prefix) => Number(/step-(\d+)\/$/.exec(prefix)?.[1] ?? -1)));
    checkpointBeforeKill = await store.getJson<CheckpointManifest>(`${layout.checkpointPrefix(jobId, newest)}checkpoint.json`);
    const stored = await store.getJson<{ state: string }>(layout.runJob(jobId));
    expect(stored.state).toBe('JOB_STATE_RUNNING');

    await stack.restartService('trainer');
    const restarted = createClients({ ...Object.fromEntries(Object.entries(stack.services).map(([name, address]) => [name, address.grpc])) } as never);
    for await (const update of restarted.trainer.watchJob({ jobId })) finished = update.job!;
    restarted.close();
    expect(finished.state).toBe(JobState.SUCCEEDED);
  });

  it('restarts at the checkpoint step, not step 0', async () => {
    const resumed = await trainerLogLines('resumed from checkpoint');
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.step).toBe(checkpointBeforeKill.state.step);
    expect(checkpointBeforeKill.state.step).toBeGreaterThanOrEqual(CHECKPOINT_EVERY_STEPS * 2);
  });

  it('restores variables, slots and averages exactly', async () => {
    const resumed = await trainerLogLines('resumed from checkpoint');
    const tensorsFile = checkpointBeforeKill.files.find((file) => file.name === 'tensors.bin')!;
    expect(resumed[0]!.restoredSha256).toBe(tensorsFile.sha256);
    const names = checkpointBeforeKill.tensors.map((tensor) => tensor.name);
    expect(names.some((name) => name.endsWith('/RMSProp'))).toBe(true);
    expect(names.some((name) => name.endsWith('/ExponentialMovingAverage'))).toBe(true);
  });

  it('continues the input position and generator state', async () => {
    const resumed = await trainerLogLines('resumed from checkpoint');
    expect(resumed[0]!.position).toEqual(checkpointBeforeKill.state.position);
    expect(resumed[0]!.randomState).toBe(checkpointBeforeKill.state.randomState);
  });

  it('continues the learning-rate schedule', async () => {
    const text = await readFile(path.join(stack.logDir, 'trainer.log'), 'utf8');
    const stepLines = text
      .split('\n')
      .filter((line) => line.includes('"learningRate"') && line.includes('"totalLoss"'))
      .map((line) => JSON.parse(line) as { step: number; learningRate: number; pid: number });
    const pids = [...new Set(stepLines.map((line) => line.pid))];
    expect(pids).toHaveLength(2);
    const afterRestart = stepLines.filter((line) => line.pid === pids[1]);
    const resumedStep = checkpointBeforeKill.state.step;
    expect(afterRestart[0]!.step).toBe(resumedStep);
    // 18 training images at batch 4 and one epoch per decay: int(18 / 4 · 1) = 4 steps per decay.
    expect(afterRestart[0]!.learningRate).toBeCloseTo(0.01 * 0.16 ** Math.floor(resumedStep / 4), 12);
    expect(afterRestart.at(-1)!.step).toBe(MAX_STEPS - 1);
  });

  it('registers the finished model with every step counted', async () => {
    const [model, version] = finished.modelVersion.split('@');
    const response = await clients.registry.getVersion({ model, version: Number(version) });
    expect(response.version?.lineage?.steps).toBe(MAX_STEPS);
  });
});
