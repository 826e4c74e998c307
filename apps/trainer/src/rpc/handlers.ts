import { JobKind, TrainerService, type Job } from '@inception/proto';
import { implement, requireField, requireName, ServiceError, type ServiceRegistration } from '@inception/rpc';
import { StorageError } from '@inception/storage';
import { BaseModelError } from '../domain/base-model.js';
import { HyperParameterError } from '../domain/hyper-parameters.js';
import { isTerminal, JobPreconditionError, type JobRunner } from '../domain/job-runner.js';

function toServiceError(error: unknown): unknown {
  if (error instanceof HyperParameterError || error instanceof BaseModelError) return ServiceError.invalidArgument(error.message);
  if (error instanceof JobPreconditionError) return ServiceError.failedPrecondition(error.message);
  if (error instanceof ServiceError) return error;
  if (error instanceof StorageError && error.kind === 'not-found') return ServiceError.notFound(error.message);
  if (error instanceof StorageError && error.kind === 'unavailable') return ServiceError.unavailable(error.message, error);
  return error;
}

async function requireJob(runner: JobRunner, jobId: string): Promise<Job> {
  requireField(jobId, 'job_id');
  const job = await runner.get(jobId);
  if (!job) throw ServiceError.notFound(`job "${jobId}" not found`);
  return job;
}

export function trainerHandlers(runner: JobRunner): ServiceRegistration {
  return implement(TrainerService, {
    async submitJob(request, context) {
      const spec = requireField(request.spec, 'spec');
      if (spec.kind !== JobKind.TRAIN && spec.kind !== JobKind.FINE_TUNE && spec.kind !== JobKind.EVALUATE) {
        throw ServiceError.invalidArgument(`spec.kind ${JobKind[spec.kind] ?? spec.kind} is invalid: use JOB_KIND_TRAIN, JOB_KIND_FINE_TUNE or JOB_KIND_EVALUATE`);
      }
      if (spec.kind !== JobKind.TRAIN) requireField(spec.baseModelVersion, 'spec.base_model_version');
      const dataset = requireField(spec.dataset, 'spec.dataset');
      requireName(dataset.name, 'spec.dataset.name');
      if (dataset.version === 0) throw ServiceError.invalidArgument('missing required field spec.dataset.version');
      requireField(spec.shardSetId, 'spec.shard_set_id');
      if (spec.registerModel) requireName(spec.registerModel, 'spec.register_model');
      try {
        const job = await runner.submit(spec);
        context.logger.info({ job: job.id }, 'job queued');
        return { job };
      } catch (error) {
        throw toServiceError(error);
      }
    },

    async getJob(request) {
      return { job: await requireJob(runner, request.jobId) };
    },

    async listJobs() {
      return { jobs: await runner.list() };
    },

    async cancelJob(request) {
      await requireJob(runner, request.jobId);
      return { job: await runner.cancel(request.jobId) };
    },

    async watchJob(request, send, context) {
      const job = await requireJob(runner, request.jobId);
      if (isTerminal(job.state)) {
        await send({ job });
        return;
      }
      const updates: Job[] = [];
      let wake: (() => void) | undefined;
      const stop = runner.watch(request.jobId, (update) => {
        updates.push(update);
        wake?.();
      });
      try {
        await send({ job });
        while (!context.signal.aborted) {
          if (updates.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              context.signal.addEventListener('abort', () => resolve(), { once: true });
            });
            continue;
          }
          const update = updates.shift()!;
          await send({ job: update });
          if (isTerminal(update.state)) return;
        }
      } finally {
        stop();
      }
    },
  });
}
