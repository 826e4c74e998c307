import * as tf from '@tensorflow/tfjs';
import { ConfusionMatrix, evaluateBatch, type TrainingState } from '@inception/inception';
import type { LabelledImage } from '../storage/shard-reader.js';
import { evaluationBatches } from './input-pipeline.js';

export interface EvaluationResult {
  precisionAt1: number;
  recallAt5: number;
  examples: number;
  /** counts[label][predicted], over all logits including the background class 0. */
  confusion: number[][];
}

/**
 * Evaluates the moving averages of the weights on every validation image once, as
 * inception_eval.py does with its restored ExponentialMovingAverage shadows. Unlike the
 * original, which rounds the example count up to whole batches, each image counts exactly once.
 */
export async function evaluateAveraged(state: TrainingState, images: LabelledImage[], batchSize: number, concurrency: number): Promise<EvaluationResult> {
  const confusion = new ConfusionMatrix(state.config.numClasses);
  let top1 = 0;
  let top5 = 0;
  let examples = 0;
  await state.movingAverage.withShadowsAssigned(async () => {
    for await (const batch of evaluationBatches(images, state.config.imageSize, batchSize, concurrency)) {
      try {
        const result = await evaluateBatch(state.model, batch.images, batch.labels);
        top1 += result.top1HitCount;
        top5 += result.top5HitCount;
        examples += result.exampleCount;
        confusion.add(batch.labels, result.predictedClasses);
      } finally {
        tf.dispose(batch.images);
      }
    }
  });
  return {
    precisionAt1: examples ? top1 / examples : 0,
    recallAt5: examples ? top5 / examples : 0,
    examples,
    confusion: confusion.counts.map((row) => [...row]),
  };
}
