import * as tf from '@tensorflow/tfjs';
import { buildInceptionV3, learningRateAt, trainStep, TrainingState } from '@inception/inception';
import type { Logger } from '@inception/telemetry';
import type { ObjectStore, ShardSetManifest } from '@inception/storage';
import type { TrainerMetrics } from '../metrics.js';
import { createHash } from 'node:crypto';
import { CheckpointStore, serializeTensors, type SavedCheckpoint } from '../storage/checkpoint-store.js';
import { readSplit } from '../storage/shard-reader.js';
import { selectFineTuneTensors, type BaseModel } from './base-model.js';
import { evaluateAveraged, type EvaluationResult } from './evaluate.js';
import { formatEvalLine, formatStepLine } from './format.js';
import type { HyperParameters } from './hyper-parameters.js';
import { InputPipeline } from './input-pipeline.js';
import { SeededRandom } from './random.js';

export interface StepReport {
  step: number;
  totalLoss: number;
  mainLoss: number;
  auxLoss: number;
  regularizationLoss: number;
  learningRate: number;
  examplesPerSecond: number;
  stepSeconds: number;
}

export interface TrainingRun {
  jobId: string;
  shardSet: ShardSetManifest;
  hyper: HyperParameters;
  store: ObjectStore;
  logger: Logger;
  metrics: TrainerMetrics;
  logEverySteps: number;
  preprocessConcurrency: number;
  /** Checkpoints kept per job (older ones are deleted). */
  keepCheckpoints: number;
  /** Wall time after which a checkpoint is written even between the step-based ones, in milliseconds. */
  checkpointEveryMs: number;
  /** True once the job should stop at the next step boundary: cancelled, or the process is shutting down. */
  shouldStop: () => 'cancel' | 'shutdown' | undefined;
  onStep: (report: StepReport) => void;
  onCheckpoint: (checkpoint: SavedCheckpoint) => void;
  /** Fine-tune start: its variables initialise a job that has no checkpoint of its own yet. */
  baseModel?: BaseModel;
  /** Called once the base model's tensors are assigned, with how many were taken. */
  onBaseModelRestored?: (restored: number, skippedClassifier: string[]) => void;
}

export type TrainingOutcome =
  /** `evaluation` is undefined when the shard set has no validation images. */
  | { kind: 'finished'; checkpoint: SavedCheckpoint; evaluation?: EvaluationResult; steps: number; lastStep: StepReport }
  | { kind: 'stopped'; reason: 'cancel' | 'shutdown'; checkpoint?: SavedCheckpoint };

/** Thrown when training must end, such as a NaN loss; the message is the job's error. */
export class TrainingError extends Error {
  override readonly name = 'TrainingError';
}

/**
 * Trains one job from its newest checkpoint (or from scratch), checkpointing every
 * `checkpointEverySteps`, at the last step and when asked to stop for a shutdown, then evaluates
 * the averaged weights on the validation split.
 */
export async function runTraining(run: TrainingRun): Promise<TrainingOutcome> {
  const { hyper, logger, metrics } = run;
  const checkpoints = new CheckpointStore(run.store);

  const trainImages = await readSplit(run.store, run.shardSet, 'train');
  const validationImages = await readSplit(run.store, run.shardSet, 'validation');
  const numClasses = run.shardSet.labels.length + 1;
  logger.info({ trainImages: trainImages.length, validationImages: validationImages.length, numClasses }, 'input loaded');

  const model = buildInceptionV3({
    numClasses,
    imageSize: hyper.imageSize,
    depthMultiplier: hyper.depthMultiplier,
    minDepth: hyper.minDepth,
    auxLogits: hyper.auxLogits,
    batchNormDecay: hyper.batchNormDecay,
    weightDecay: hyper.weightDecay,
  });
  const state = new TrainingState(model, { movingAverageDecay: hyper.movingAverageDecay });
  try {
    let startStep = 0;
    let position = { epoch: 0, offset: 0 };
    let randomState = hyper.seed;
    const resumed = await checkpoints.latest(run.jobId);
    if (resumed) {
      const tensors = await checkpoints.loadTensors(resumed);
      const restore = state.restoreCheckpointTensors(tensors);
      tf.dispose(Object.values(tensors));
      if (restore.missingNames.length > 0) {
        throw new TrainingError(`checkpoint at step ${resumed.state.step} lacks ${restore.missingNames.length} tensors, e.g. ${restore.missingNames[0]}`);
      }
      startStep = resumed.state.step;
      position = resumed.state.position;
      randomState = resumed.state.randomState;

      // The live state, laid out as tensors.bin, must hash to the file: then every variable,
      // optimizer slot and moving average came back exactly.
      const stored = resumed.files.find((file) => file.name === 'tensors.bin');
      const restoredSha256 = createHash('sha256').update((await serializeTensors(state.getCheckpointTensors())).bytes).digest('hex');
      if (restoredSha256 !== stored?.sha256) {
        throw new TrainingError(`restored state of step ${startStep} hashes to ${restoredSha256}, not the checkpoint's ${stored?.sha256}`);
      }
      logger.info({ step: startStep, position, randomState, restoredSha256, tensors: Object.keys(state.getCheckpointTensors()).length }, 'resumed from checkpoint');
    } else if (run.baseModel) {
      const { selected, skippedClassifier } = selectFineTuneTensors(state.variables, run.baseModel.tensors, run.baseModel.reference);
      state.restoreCheckpointTensors(selected);
      logger.info({ base: run.baseModel.reference, restored: Object.keys(selected).length, skippedClassifier }, 'fine-tuning from base model');
      run.onBaseModelRestored?.(Object.keys(selected).length, skippedClassifier);
    }

    await using pipeline = new InputPipeline(trainImages, hyper.imageSize, hyper.batchSize, hyper.seed, new SeededRandom(randomState), run.preprocessConcurrency, position);
    const schedule = {
      initialLearningRate: hyper.initialLearningRate,
      numEpochsPerDecay: hyper.numEpochsPerDecay,
      decayFactor: hyper.learningRateDecayFactor,
      examplesPerEpoch: trainImages.length,
      batchSize: hyper.batchSize,
    };
    const save = async (completedSteps: number, learningRate: number) => {
      const stopTimer = metrics.checkpointSeconds.startTimer();
      const snapshot = pipeline.checkpoint;
      const saved = await checkpoints.save(run.jobId, { step: completedSteps, position: snapshot.position, randomState: snapshot.randomState, learningRate }, state.getCheckpointTensors());
      stopTimer();
      metrics.checkpointBytes.inc(saved.manifest.files.reduce((sum, file) => sum + file.sizeBytes, 0) + saved.manifestFile.sizeBytes);
      await checkpoints.prune(run.jobId, run.keepCheckpoints);
      run.onCheckpoint(saved);
      return saved;
    };

    let lastReport: StepReport | undefined;
    let lastCheckpoint: SavedCheckpoint | undefined;
    let lastCheckpointMs = Date.now();
    for (let step = startStep; step < hyper.maxSteps; step++) {
      const stop = run.shouldStop();
      if (stop) {
        const checkpoint = stop === 'shutdown' ? await save(step, learningRateAt(step, schedule)) : undefined;
        return { kind: 'stopped', reason: stop, checkpoint };
      }

      const startedNs = process.hrtime.bigint();
      metrics.inputQueueFill.set(pipeline.queueFill.readyBatches / pipeline.queueFill.capacityBatches);
      const batch = await pipeline.nextBatch();
      metrics.inputWaitSeconds.observe(Number(process.hrtime.bigint() - startedNs) / 1e9);
      const learningRate = learningRateAt(step, schedule);
      let losses;
      try {
        losses = await trainStep(state, { images: batch.images, labels: batch.labels }, { step, learningRate, labelSmoothing: hyper.labelSmoothing });
      } finally {
        batch.images.dispose();
      }
      if (Number.isNaN(losses.totalLoss)) {
        throw new TrainingError(`Model diverged with loss = NaN at step ${step}`);
      }
      const stepSeconds = Number(process.hrtime.bigint() - startedNs) / 1e9;
      metrics.stepSeconds.observe(stepSeconds);
      metrics.steps.inc();

      const isLast = step + 1 === hyper.maxSteps;
      if (step % run.logEverySteps === 0 || isLast) {
        lastReport = { step, ...losses, learningRate, examplesPerSecond: hyper.batchSize / stepSeconds, stepSeconds };
        logger.info({ step, ...losses, learningRate }, formatStepLine(step, losses.totalLoss, lastReport.examplesPerSecond, stepSeconds));
        metrics.tensors.set(tf.memory().numTensors);
        metrics.memoryBytes.set(tf.memory().numBytes);
        metrics.epoch.set({ training_job: run.jobId }, pipeline.checkpoint.position.epoch + pipeline.checkpoint.position.offset / trainImages.length);
        run.onStep(lastReport);
      }
      if ((step + 1) % hyper.checkpointEverySteps === 0 || isLast || Date.now() - lastCheckpointMs >= run.checkpointEveryMs) {
        lastCheckpoint = await save(step + 1, learningRate);
        lastCheckpointMs = Date.now();
      }
    }

    // A job resumed after its last checkpoint ran no step here; saving again rewrites the same step.
    lastCheckpoint ??= await save(hyper.maxSteps, learningRateAt(hyper.maxSteps, schedule));

    let evaluation: EvaluationResult | undefined;
    if (validationImages.length > 0) {
      evaluation = await evaluateAveraged(state, validationImages, hyper.batchSize, run.preprocessConcurrency);
      logger.info({ ...evaluation, confusion: undefined }, formatEvalLine(evaluation.precisionAt1, evaluation.recallAt5, evaluation.examples));
    } else {
      logger.warn({ shardSet: run.shardSet.setId }, 'the shard set has no validation images, so the final evaluation is skipped');
    }
    return {
      kind: 'finished',
      checkpoint: lastCheckpoint,
      evaluation,
      steps: hyper.maxSteps,
      lastStep: lastReport ?? { step: hyper.maxSteps - 1, totalLoss: Number.NaN, mainLoss: Number.NaN, auxLoss: 0, regularizationLoss: Number.NaN, learningRate: 0, examplesPerSecond: 0, stepSeconds: 0 },
    };
  } finally {
    state.dispose();
  }
}
