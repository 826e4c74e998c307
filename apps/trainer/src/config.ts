import { optionalText, positiveInt, type EnvTable } from '@inception/config';
import { z } from 'zod';

/** Trainer's own variables, beside the common ones (GRPC_PORT, S3_*, …). */
export const trainerEnv = {
  TRAINER_BACKEND: {
    schema: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).optional(),
    description: 'Forces one TensorFlow.js backend (tensorflow-gpu, tensorflow, wasm, cpu); unset picks the fastest that loads.',
  },
  REGISTRY_ADDRESS: { schema: optionalText(), description: 'gRPC address of the model registry, needed by jobs that register a model.' },
  TRAINER_LOG_EVERY_STEPS: { schema: positiveInt(10), description: 'Steps between logged step lines, step events and metric updates (the original logs every 10).' },
  TRAINER_PREPROCESS_CONCURRENCY: { schema: positiveInt(4), description: 'Images decoded and distorted at once by the input pipeline, in this many worker threads up to the number of CPUs.' },
  TRAINER_CHECKPOINT_EVERY_MINUTES: { schema: positiveInt(10), description: 'Minutes between time-based checkpoints, besides every checkpoint_every_steps steps and at SIGTERM.' },
  TRAINER_KEEP_CHECKPOINTS: { schema: positiveInt(3), description: 'Newest checkpoints kept per job; older ones are deleted.' },
  TRAINER_POLL_INTERVAL_MS: { schema: positiveInt(1_000), description: 'Milliseconds between looks at the job queue when it is idle.' },
} satisfies EnvTable;

export const TRAINER_DEFAULT_GRPC_PORT = 50054;
export const TRAINER_DEFAULT_METRICS_PORT = 9464;
