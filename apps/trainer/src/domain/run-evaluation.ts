import * as tf from '@tensorflow/tfjs';
import { buildInceptionV3, TrainingState } from '@inception/inception';
import type { ObjectStore, ShardSetManifest } from '@inception/storage';
import type { Logger } from '@inception/telemetry';
import { readSplit } from '../storage/shard-reader.js';
import type { BaseModel } from './base-model.js';
import { evaluateAveraged, type EvaluationResult } from './evaluate.js';
import { formatEvalLine } from './format.js';
import type { HyperParameters } from './hyper-parameters.js';
import { TrainingError } from './run-training.js';

export interface EvaluationRun {
  store: ObjectStore;
  shardSet: ShardSetManifest;
  baseModel: BaseModel;
  hyper: HyperParameters;
  logger: Logger;
  preprocessConcurrency: number;
}

/**
 * Evaluates a registered version on the validation split of a shard set with its moving
 * averages, as inception_eval.py restores them; the version's architecture comes from `hyper`,
 * which the job took from the version's lineage.
 */
export async function runEvaluation(run: EvaluationRun): Promise<{ evaluation: EvaluationResult; restored: number }> {
  const numClasses = run.baseModel.version.lineage?.numClasses ?? 0;
  if (numClasses !== run.shardSet.labels.length + 1) {
    throw new TrainingError(`${run.baseModel.reference} has ${numClasses} logits but shard set ${run.shardSet.setId} has ${run.shardSet.labels.length} classes (${run.shardSet.labels.length + 1} logits)`);
  }
  const validationImages = await readSplit(run.store, run.shardSet, 'validation');
  const model = buildInceptionV3({ numClasses, imageSize: run.hyper.imageSize, depthMultiplier: run.hyper.depthMultiplier, minDepth: run.hyper.minDepth, auxLogits: run.hyper.auxLogits });
  const state = new TrainingState(model);
  try {
    const restore = state.restoreCheckpointTensors(run.baseModel.tensors);
    if (restore.missingNames.length > 0) {
      throw new TrainingError(`${run.baseModel.reference} lacks ${restore.missingNames.length} tensors the model needs, e.g. ${restore.missingNames[0]}`);
    }
    const evaluation = await evaluateAveraged(state, validationImages, run.hyper.batchSize, run.preprocessConcurrency);
    run.logger.info({ precisionAt1: evaluation.precisionAt1, recallAt5: evaluation.recallAt5, examples: evaluation.examples }, formatEvalLine(evaluation.precisionAt1, evaluation.recallAt5, evaluation.examples));
    return { evaluation, restored: restore.restoredNames.length };
  } finally {
    state.dispose();
    tf.dispose(Object.values(run.baseModel.tensors));
  }
}
