import { freemem } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import {
  buildInceptionV3,
  estimateTrainingMemoryBytes,
  largestBatchWithinMemory,
  summarizeModel,
  trainingMemoryProfile,
  type InceptionV3Options,
} from '@inception/inception';
import { JobKind, type Job, type JobSpec, type TrainingConfig } from '@inception/proto';
import type { ShardSetManifest } from '@inception/storage';
import type { Logger } from '@inception/telemetry';
import { HyperParameterError, RECIPE_DEFAULTS, resolveHyperParameters } from './hyper-parameters.js';
import { searchLargestBatch, trainingStepProbe, type BatchProbe, type TryBatch } from './batch-size-probe.js';

/** Largest wasm heap of tfjs-backend-wasm 4.22: its binaries declare 65,536 pages and emscripten's getHeapMax returns 4 GiB − 64 KiB. */
export const WASM_HEAP_MAX_BYTES = 4_294_901_760;

/**
 * Share of the memory budget the estimate may fill. The rest covers allocator overhead (the wasm
 * heap measured 8.5 % above the tensors tfjs tracked at 299 pixels, batch 2), garbage the JavaScript
 * collector has not yet freed, and the estimate's own error.
 */
export const MEMORY_SAFETY_FACTOR = 0.75;

/** Upper limit of an automatic batch size, the same as config.batch_size's. */
export const MAX_AUTO_BATCH_SIZE = 4096;

/** The chosen batch size, the method and the numbers behind the choice. */
export interface BatchSizeChoice {
  batchSize: number;
  /** The limit of the search: the training examples of one epoch, at most MAX_AUTO_BATCH_SIZE. */
  maxBatchSize: number;
  method: 'probe' | 'estimate';
  /** Sizes tried with real training steps (probe only). */
  probes?: BatchProbe[];
  /** Memory the estimate may fill, already multiplied by MEMORY_SAFETY_FACTOR (estimate only). */
  budgetBytes?: number;
  /** Source of the budget: the wasm heap limit or os.freemem() (estimate only). */
  budgetSource?: 'wasm heap limit' | 'free system memory';
  /** Estimated step memory at the chosen batch size (estimate only). */
  estimatedBytes?: number;
  activationBytesPerImage?: number;
  parameterBytes?: number;
}

export interface ChooseBatchSizeOptions {
  /** The active TensorFlow.js backend. */
  backend: string;
  model: InceptionV3Options;
  maxBatchSize: number;
  /** Replaces the real training-step probe in tests. */
  tryBatch?: TryBatch;
  /** Replaces os.freemem() in tests, in bytes. */
  freeMemoryBytes?: number;
}

/**
 * Picks the largest batch size that fits the device. On tensorflow-gpu it runs training steps at
 * growing sizes until one fails with an out-of-memory error. Elsewhere an out-of-memory error
 * cannot be caught, so it compares `estimateTrainingMemoryBytes` with a budget: the wasm heap
 * limit on wasm, free system memory on cpu and on libtensorflow without a GPU.
 * Throws when not even one image fits.
 */
export async function chooseBatchSize(options: ChooseBatchSizeOptions): Promise<BatchSizeChoice> {
  const { backend, maxBatchSize } = options;
  let choice: BatchSizeChoice;
  if (backend === 'tensorflow-gpu' || options.tryBatch) {
    const probe = options.tryBatch ? { tryBatch: options.tryBatch, dispose: () => {} } : trainingStepProbe(options.model);
    try {
      const { batchSize, probes } = await searchLargestBatch(probe.tryBatch, maxBatchSize);
      choice = { batchSize, maxBatchSize, method: 'probe', probes };
    } finally {
      probe.dispose();
    }
  } else {
    choice = estimateBatchSize(options);
  }

  if (choice.batchSize < 1) {
    throw new HyperParameterError(`config.auto_batch_size: not even batch size 1 fits on backend ${backend} (${describeChoice(choice)}); use a smaller image_size or depth_multiplier`);
  }
  return choice;
}

function estimateBatchSize(options: ChooseBatchSizeOptions): BatchSizeChoice {
  const model = buildInceptionV3(options.model);
  const profile = trainingMemoryProfile(summarizeModel(model));
  model.dispose();

  const onWasm = options.backend === 'wasm';
  // Only live tensors count against the heap limit: the heap never shrinks, but it reuses the memory of disposed tensors.
  const availableBytes = onWasm ? WASM_HEAP_MAX_BYTES - tf.memory().numBytes : (options.freeMemoryBytes ?? freemem());
  const budgetBytes = Math.floor(availableBytes * MEMORY_SAFETY_FACTOR);
  const batchSize = largestBatchWithinMemory(profile, budgetBytes, options.maxBatchSize);
  const estimate = estimateTrainingMemoryBytes(profile, Math.max(batchSize, 1));
  return {
    batchSize,
    maxBatchSize: options.maxBatchSize,
    method: 'estimate',
    budgetBytes,
    budgetSource: onWasm ? 'wasm heap limit' : 'free system memory',
    estimatedBytes: estimate.totalBytes,
    activationBytesPerImage: profile.activationBytesPerImage,
    parameterBytes: estimate.parameterBytes,
  };
}

/** Scales a learning rate linearly from the recipe's batch of 32: learningRate × batchSize / 32. */
export function scaleLearningRate(learningRate: number, batchSize: number): number {
  return (learningRate * batchSize) / RECIPE_DEFAULTS.batchSize;
}

/**
 * Validates a submitted config's auto_batch_size and returns the fields it sets in the job's
 * effective config: batch_size stays 0 until the job starts and the size is chosen.
 */
export function pendingAutoBatchSize(spec: JobSpec): Pick<TrainingConfig, 'autoBatchSize' | 'batchSize'> | Record<string, never> {
  const config = spec.config;
  if (!config?.autoBatchSize) return {};
  if (spec.kind === JobKind.EVALUATE) {
    throw new HyperParameterError('config.auto_batch_size applies to training and fine-tune jobs, not to evaluate jobs');
  }
  if (config.batchSize) {
    throw new HyperParameterError(`config.batch_size ${config.batchSize} conflicts with config.auto_batch_size; leave batch_size at 0`);
  }
  return { autoBatchSize: true, batchSize: 0 };
}

/**
 * Chooses the batch size of a job whose effective config requests one and has none yet, and
 * writes it and the scaled learning rate into `job.effectiveConfig`. A resumed job already has
 * its batch size, so its checkpoints and learning-rate schedule stay valid. Returns whether the
 * job changed.
 */
export async function applyAutoBatchSize(job: Job, shardSet: ShardSetManifest, backend: string, logger: Logger, overrides: Pick<ChooseBatchSizeOptions, 'tryBatch' | 'freeMemoryBytes'> = {}): Promise<boolean> {
  const config = job.effectiveConfig;
  if (!config?.autoBatchSize || config.batchSize) return false;

  const hyper = resolveHyperParameters(config, () => 0);
  const trainExamples = shardSet.shards.filter((shard) => shard.split === 'train').reduce((sum, shard) => sum + shard.records, 0);
  const choice = await chooseBatchSize({
    ...overrides,
    backend,
    maxBatchSize: Math.max(1, Math.min(MAX_AUTO_BATCH_SIZE, trainExamples)),
    model: {
      numClasses: shardSet.labels.length + 1,
      imageSize: hyper.imageSize,
      depthMultiplier: hyper.depthMultiplier,
      minDepth: hyper.minDepth,
      auxLogits: hyper.auxLogits,
      batchNormDecay: hyper.batchNormDecay,
      weightDecay: hyper.weightDecay,
    },
  });

  const baseLearningRate = hyper.initialLearningRate;
  config.batchSize = choice.batchSize;
  config.initialLearningRate = scaleLearningRate(baseLearningRate, choice.batchSize);
  logger.info(
    { ...choice, backend, baseLearningRate, initialLearningRate: config.initialLearningRate },
    `auto batch size ${choice.batchSize} on ${backend} (${describeChoice(choice)}); learning rate ${baseLearningRate} × ${choice.batchSize}/${RECIPE_DEFAULTS.batchSize} = ${config.initialLearningRate}`,
  );
  return true;
}

function describeChoice(choice: BatchSizeChoice): string {
  if (choice.method === 'probe') {
    const tried = (choice.probes ?? []).map((probe) => `${probe.batchSize} ${probe.fits ? 'fit' : 'out of memory'}`).join(', ');
    return `probed ${tried}; limit ${choice.maxBatchSize}`;
  }
  const gib = (bytes = 0) => (bytes / 2 ** 30).toFixed(2);
  return `estimated ${gib(choice.estimatedBytes)} GiB of a ${gib(choice.budgetBytes)} GiB budget, ${MEMORY_SAFETY_FACTOR} × the ${choice.budgetSource}; limit ${choice.maxBatchSize}`;
}
