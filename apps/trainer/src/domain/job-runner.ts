import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { JobKind, JobSchema, JobState, RegistryService, TrainingConfigSchema, type Job, type JobSpec } from '@inception/proto';
import type { RpcClient } from '@inception/rpc';
import { layout, type ObjectStore } from '@inception/storage';
import type { Logger } from '@inception/telemetry';
import type { TrainerMetrics } from '../metrics.js';
import type { SavedCheckpoint } from '../storage/checkpoint-store.js';
import { JobRepository } from '../storage/job-repository.js';
import { loadShardSet } from '../storage/shard-reader.js';
import { getModelVersion, loadBaseModel } from './base-model.js';
import { applyAutoBatchSize, pendingAutoBatchSize } from './batch-size.js';
import type { EvaluationResult } from './evaluate.js';
import { inheritArchitecture, resolveHyperParameters, type HyperParameters } from './hyper-parameters.js';
import { registerModelVersion } from './register.js';
import { runEvaluation } from './run-evaluation.js';
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
  /** Checkpoints kept per job (default 3). */
  keepCheckpoints?: number;
  /** Minutes between time-based checkpoints (default 10). */
  checkpointEveryMinutes?: number;
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
  return resolveHyperParameters(job.effectiveConfig, () => 0, { requireSteps: job.spec?.kind !== JobKind.EVALUATE });
}

/** Thrown when a job cannot run on the data it names, such as an evaluation without validation images. */
export class JobPreconditionError extends Error {
  override readonly name = 'JobPreconditionError';
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
    let config = spec.config ?? create(TrainingConfigSchema, {});
    if (spec.kind === JobKind.FINE_TUNE || spec.kind === JobKind.EVALUATE) {
      const base = await getModelVersion(this.options.registry, spec.baseModelVersion);
      config = inheritArchitecture(config, base.lineage?.hyperParameters ?? {}, spec.baseModelVersion);
    }
    const hyper = resolveHyperParameters(config, () => randomBytes(4).readUInt32LE(0), { requireSteps: spec.kind !== JobKind.EVALUATE });
    const shardSet = await loadShardSet(this.options.store, spec.dataset!, spec.shardSetId);
    const setName = `shard set ${spec.shardSetId} of ${spec.dataset!.name} v${spec.dataset!.version}`;
    if (shardSet.shards.length === 0) throw new JobPreconditionError(`${setName} has no shards`);
    const validationRecords = shardSet.shards.filter((shard) => shard.split === 'validation').reduce((sum, shard) => sum + shard.records, 0);
    if (spec.kind === JobKind.EVALUATE && validationRecords === 0) {
      throw new JobPreconditionError(`${setName} has no validation images, so there is nothing to evaluate; import a version with validation images (--validation-per-class, --validation-fraction or a validation folder) and shard it`);
    }
    const job = create(JobSchema, {
      id: newJobId(),
      spec,
      state: JobState.QUEUED,
      createdAt: timestampNow(),
      effectiveConfig: create(TrainingConfigSchema, { ...hyper, auxLogits: hyper.auxLogits, seed: hyper.seed, ...pendingAutoBatchSize(spec) }),
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

  /** Stores metrics and the confusion matrix in runs/<job>/evaluation.json and on the job. */
  private async recordEvaluation(job: Job, evaluation: EvaluationResult, labels: string[]): Promise<void> {
    const key = `${layout.runPrefix(job.id)}evaluation.json`;
    await this.options.store.putJson(key, { ...evaluation, usedMovingAverages: true, labels: ['(background)', ...labels] });
    job.evaluationKey = key;
    job.eval = { precisionAt1: evaluation.precisionAt1, recallAt5: evaluation.recallAt5, examples: evaluation.examples, usedMovingAverages: true, $typeName: 'inception.v1.EvalMetrics' };
    this.options.metrics.precisionAt1.set({ training_job: job.id }, evaluation.precisionAt1);
    this.options.metrics.recallAt5.set({ training_job: job.id }, evaluation.recallAt5);
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
      const kind = job.spec?.kind ?? JobKind.UNSPECIFIED;
      const wasRunning = job.state === JobState.RUNNING;
      job.state = JobState.RUNNING;
      job.backend = this.options.backend;
      job.startedAt ??= timestampNow();
      await this.publish(job);
      logger.info({ resumed: wasRunning, backend: this.options.backend }, wasRunning ? 'resuming job' : 'starting job');

      const shardSet = await loadShardSet(this.options.store, job.spec!.dataset!, job.spec!.shardSetId);
      if (await applyAutoBatchSize(job, shardSet, this.options.backend, logger)) await this.publish(job);
      const hyper = hyperOf(job);
      if (kind === JobKind.EVALUATE) {
        const baseModel = await loadBaseModel(this.options.store, this.options.registry, job.spec!.baseModelVersion);
        const { evaluation, restored } = await runEvaluation({ store: this.options.store, shardSet, baseModel, hyper, logger, preprocessConcurrency: this.options.preprocessConcurrency });
        job.restoredTensors = restored;
        await this.recordEvaluation(job, evaluation, shardSet.labels);
        job.state = JobState.SUCCEEDED;
        job.finishedAt = timestampNow();
        await this.publish(job);
        logger.info({ precisionAt1: evaluation.precisionAt1 }, 'evaluation job succeeded');
        return;
      }
      const baseModel = kind === JobKind.FINE_TUNE ? await loadBaseModel(this.options.store, this.options.registry, job.spec!.baseModelVersion) : undefined;
      const outcome = await runTraining({
        baseModel,
        onBaseModelRestored: (restored) => {
          job.restoredTensors = restored;
        },
        jobId: job.id,
        shardSet,
        hyper,
        store: this.options.store,
        logger,
        metrics: this.options.metrics,
        logEverySteps: this.options.logEverySteps,
        preprocessConcurrency: this.options.preprocessConcurrency,
        keepCheckpoints: this.options.keepCheckpoints ?? 3,
        checkpointEveryMs: (this.options.checkpointEveryMinutes ?? 10) * 60_000,
        shouldStop: () => (this.current?.cancel ? 'cancel' : this.shuttingDown ? 'shutdown' : undefined),
        onStep: (report) => {
          job.lastStep = { ...report, $typeName: 'inception.v1.StepStats' };
          const labels = { training_job: job.id };
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

      if (outcome.evaluation) await this.recordEvaluation(job, outcome.evaluation, shardSet.labels);
      if (job.spec!.registerModel) {
        if (!this.options.registry) throw new Error(`job asks to register model "${job.spec!.registerModel}" but REGISTRY_ADDRESS is not set`);
        const version = await registerModelVersion(this.options.registry, job, hyper, shardSet, outcome);
        job.modelVersion = `${version.model}@${version.version}`;
      }
      job.state = JobState.SUCCEEDED;
      job.finishedAt = timestampNow();
      await this.publish(job);
      logger.info({ precisionAt1: job.eval?.precisionAt1, modelVersion: job.modelVersion }, 'job succeeded');
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
