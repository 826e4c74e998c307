import { RegistryService, TrainerService } from '@inception/proto';
import { methodScopes, type ServiceDefinitionOptions } from '@inception/rpc';
import { initBackend } from '@inception/tf-runtime';
import { TRAINER_DEFAULT_GRPC_PORT, TRAINER_DEFAULT_METRICS_PORT, trainerEnv } from './config.js';
import { JobRunner } from './domain/job-runner.js';
import { trainerMetrics } from './metrics.js';
import { trainerHandlers } from './rpc/handlers.js';

/** Scope each trainer RPC needs when AUTH_TOKENS_FILE is set. */
export const trainerScopes = methodScopes(TrainerService, {
  submitJob: 'write',
  getJob: 'read',
  listJobs: 'read',
  cancelJob: 'write',
  watchJob: 'read',
});

/** The trainer process: picks the TensorFlow.js backend, then serves jobs one at a time. */
export const trainerServiceDefinition: ServiceDefinitionOptions<typeof trainerEnv> = {
  name: 'trainer',
  metricsPrefix: 'inception_trainer',
  defaultGrpcPort: TRAINER_DEFAULT_GRPC_PORT,
  defaultMetricsPort: TRAINER_DEFAULT_METRICS_PORT,
  env: trainerEnv,
  scopes: [trainerScopes],
  async create({ config, store, metrics, logger, connect }) {
    const choice = await initBackend({ forced: config.TRAINER_BACKEND });
    logger.info({ backend: choice.backend, tried: choice.tried, wasm: choice.wasm }, `TensorFlow.js backend: ${choice.backend}`);
    const metricsSet = trainerMetrics(metrics);
    metricsSet.backend.set({ backend: choice.backend }, 1);

    const registry = config.REGISTRY_ADDRESS ? connect(RegistryService, config.REGISTRY_ADDRESS, { timeoutMs: 120_000, idempotentMethods: ['GetVersion', 'ListVersions'] }) : undefined;
    const runner = new JobRunner({
      store,
      logger,
      metrics: metricsSet,
      backend: choice.backend,
      registry,
      logEverySteps: config.TRAINER_LOG_EVERY_STEPS,
      preprocessConcurrency: config.TRAINER_PREPROCESS_CONCURRENCY,
      pollIntervalMs: config.TRAINER_POLL_INTERVAL_MS,
      checkpointEveryMinutes: config.TRAINER_CHECKPOINT_EVERY_MINUTES,
      keepCheckpoints: config.TRAINER_KEEP_CHECKPOINTS,
    });
    runner.start();
    return {
      services: [trainerHandlers(runner)],
      stop: async () => {
        await runner.shutdown();
        registry?.close();
      },
    };
  },
};
