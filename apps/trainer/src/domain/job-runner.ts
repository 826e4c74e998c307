import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { JobKind, JobSchema, JobState, RegistryService, TrainingConfigSchema, type Job, type JobSpec } from '@inception/proto';
import type { RpcClient } from '@inception/rpc';
import type { ObjectStore } from '@inception/storage';
import type { Logger } from '@inception/telemetry';
import type { TrainerMetrics } from '../metrics.js';
import type { SavedCheckpoint } from '../storage/checkpoint-store.js';
import { JobRepository } from '../storage/job-repository.js';
import { loadShardSet } from '../storage/shard-reader.js';
import { registerModelVersion } from './register.js';
import { resolveHyperParameters, type HyperParameters } from './hyper-parameters.js';
import { runTraining } from './run-training.js';

export interface JobRunnerOptions {
  store: ObjectStore;
  logger: Logger;
  metrics: TrainerMetrics;
  backend: string;
  registry?: RpcClient<typeof RegistryService.method>;
  logEverySteps: number;
  preprocessConcurrency: number;
  pollIntervalMs: number;
  keepCheckpoints?: number;
}

const TERMINAL = new Set([JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED]);

export function isTerminal(state: JobState): boolean {
  return TERMINAL.has(state);
}

function newJobId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function hyperOf(job: Job): HyperParameters {
  return resolveHyperParameters(job.effectiveConfig, () => 0);
}

/**
 * Runs one job at a time on this process's device. The queue is the bucket: a job left RUNNING
 * by a stopped process is resumed from its newest checkpoint before any queued job starts.
 */
export class JobRunner {
  private readonly jobs: JobRepository;
  private readonly watchers = new Map<string, Set<(job: Job) => void>>();
  private current?: { id: string; cancel: boolean };
  private shuttingDown = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(private readonly options: JobRunnerOptions) {
    this.jobs = new JobRepository(options.store);
  }

  /** Validates and queues a job; its effective hyper-parameters are fixed now, seed included. */
  async submit(spec: JobSpec): Promise<Job> {
    const hyper = resolveHyperParameters(spec.config, () => randomBytes(4).readUInt32LE(0));
    const shardSet = await loadShardSet(this.options.store, spec.dataset!, spec.shardSetId);
    if (shardSet.shards.length === 0) throw new Error(`shard set ${spec.shardSetId} has no shards`);
    const job = create(JobSchema, {
      id: newJobId(),
      spec,
      state: JobState.QUEUED,
      createdAt: timestampNow(),
      effectiveConfig: create(TrainingConfigSchema, { ...hyper, auxLogits: hyper.auxLogits, seed: hyper.seed }),
    });
    await this.jobs.save(job);
    this.wake?.();
    return job;
  }

  get(jobId: string): Promise<Job | undefined> {
    return this.jobs.get(jobId);
  }

  list(): Promise<Job[]> {
    return this.jobs.list();
  }

  async cancel(jobId: string): Promise<Job | undefined> {
    const job = await this.jobs.get(jobId);
    if (!job || isTerminal(job.state)) return job;
    if (this.current?.id === jobId) {
      this.current.cancel = true;
      return job;
    }
    job.state = JobState.CANCELLED;
    job.error = 'cancelled before it started';
    job.finishedAt = timestampNow();
    await this.publish(job);
    return job;
  }

  /** Calls `listener` with every saved state of the job; returns the function that stops it. */
  watch(jobId: string, listener: (job: Job) => void): () => void {
    const set = this.watchers.get(jobId) ?? new Set();
    set.add(listener);
    this.watchers.set(jobId, set);
    return () => set.delete(listener);
  }

  start(): void {
    this.loop ??= this.runLoop();
  }

  /** Asks the running job to checkpoint and stop, and waits for it; the job stays RUNNING and resumes on the next start. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.wake?.();
    await this.loop;
  }

  private async publish(job: Job): Promise<void> {
    await this.jobs.save(job);
    for (const listener of this.watchers.get(job.id) ?? []) listener(job);
  }

  private async nextJob(): Promise<Job | undefined> {
    const all = await this.jobs.list();
    for (const state of [JobState.RUNNING, JobState.QUEUED] as const) {
      const counts = all.filter((job) => job.state === state).length;
      this.options.metrics.jobs.set({ state: JobState[state].toLowerCase() }, counts);
    }
    return all.find((job) => job.state === JobState.RUNNING) ?? all.find((job) => job.state === JobState.QUEUED);
  }

  private async runLoop(): Promise<void> {
    while (!this.shuttingDown) {
      let job: Job | undefined;
      try {
        job = await this.nextJob();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'cannot read the job queue; retrying');
      }
      if (!job) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, this.options.pollIntervalMs);
        });
        continue;
      }
      await this.runJob(job);
    }
  }

  private async runJob(job: Job): Promise<void> {
    const logger = this.options.logger.child({ job: job.id });
    this.current = { id: job.id, cancel: false };
    try {
      if (job.spec?.kind !== JobKind.TRAIN && job.spec?.kind !== JobKind.UNSPECIFIED) {
        throw new Error(`job kind ${JobKind[job.spec?.kind ?? 0]} is not supported yet; submit JOB_KIND_TRAIN`);
      }
      const wasRunning = job.state === JobState.RUNNING;
      job.state = JobState.RUNNING;
      job.backend = this.options.backend;
      job.startedAt ??= timestampNow();
      await this.publish(job);
      logger.info({ resumed: wasRunning, backend: this.options.backend }, wasRunning ? 'resuming job' : 'starting job');

      const hyper = hyperOf(job);
      const shardSet = await loadShardSet(this.options.store, job.spec.dataset!, job.spec.shardSetId);
      const outcome = await runTraining({
        jobId: job.id,
        shardSet,
        hyper,
        store: this.options.store,
        logger,
        metrics: this.options.metrics,
        logEverySteps: this.options.logEverySteps,
        preprocessConcurrency: this.options.preprocessConcurrency,
        keepCheckpoints: this.options.keepCheckpoints ?? 3,
        shouldStop: () => (this.current?.cancel ? 'cancel' : this.shuttingDown ? 'shutdown' : undefined),
        onStep: (report) => {
          job.lastStep = { ...report, $typeName: 'inception.v1.StepStats' };
          const labels = { job: job.id };
          this.options.metrics.loss.set({ ...labels, part: 'total' }, report.totalLoss);
          this.options.metrics.loss.set({ ...labels, part: 'main' }, report.mainLoss);
          this.options.metrics.loss.set({ ...labels, part: 'aux' }, report.auxLoss);
          this.options.metrics.loss.set({ ...labels, part: 'regularization' }, report.regularizationLoss);
          this.options.metrics.learningRate.set(labels, report.learningRate);
          this.options.metrics.step.set(labels, report.step);
          this.options.metrics.examplesPerSecond.set(labels, report.examplesPerSecond);
          void this.publish(job).catch((error: unknown) => logger.warn({ err: error }, 'cannot save job progress'));
        },
        onCheckpoint: (checkpoint: SavedCheckpoint) => {
          job.checkpointPrefix = checkpoint.prefix;
          job.checkpointFiles = [...checkpoint.manifest.files, checkpoint.manifestFile].map((file) => ({ key: file.key, sizeBytes: BigInt(file.sizeBytes), sha256: file.sha256, $typeName: 'inception.v1.ObjectRef' }));
        },
      });

      if (outcome.kind === 'stopped') {
        if (outcome.reason === 'cancel') {
          job.state = JobState.CANCELLED;
          job.error = 'cancelled while running';
          job.finishedAt = timestampNow();
        }
        await this.publish(job);
        logger.info({ reason: outcome.reason, step: job.lastStep?.step }, 'job stopped');
        return;
      }

      job.eval = { precisionAt1: outcome.evaluation.precisionAt1, recallAt5: outcome.evaluation.recallAt5, examples: outcome.evaluation.examples, usedMovingAverages: true, $typeName: 'inception.v1.EvalMetrics' };
      this.options.metrics.precisionAt1.set({ job: job.id }, outcome.evaluation.precisionAt1);
      this.options.metrics.recallAt5.set({ job: job.id }, outcome.evaluation.recallAt5);
      if (job.spec.registerModel) {
        if (!this.options.registry) throw new Error(`job asks to register model "${job.spec.registerModel}" but REGISTRY_ADDRESS is not set`);
        const version = await registerModelVersion(this.options.registry, job, hyper, shardSet, outcome);
        job.modelVersion = `${version.model}@${version.version}`;
      }
      job.state = JobState.SUCCEEDED;
      job.finishedAt = timestampNow();
      await this.publish(job);
      logger.info({ precisionAt1: job.eval.precisionAt1, modelVersion: job.modelVersion }, 'job succeeded');
    } catch (error) {
      logger.error({ err: error }, 'job failed');
      job.state = JobState.FAILED;
      job.error = error instanceof Error ? error.message : String(error);
      job.finishedAt = timestampNow();
      await this.publish(job).catch((saveError: unknown) => logger.error({ err: saveError }, 'cannot save the failed job'));
    } finally {
      this.current = undefined;
    }
  }
}
