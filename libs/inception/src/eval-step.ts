import * as tf from '@tensorflow/tfjs';

import { inTopK, predictedClasses } from './metrics.js';

export interface BatchEvaluation {
  exampleCount: number;
  /** Examples whose label has the largest logit, ties included (precision @ 1). */
  top1HitCount: number;
  /** Examples whose label is among the 5 largest logits, ties included (recall @ 5). */
  top5HitCount: number;
  /** Index of the largest logit per example, for a confusion matrix. */
  predictedClasses: Int32Array;
}

/**
 * Runs the model in inference mode (moving batch-norm statistics, no dropout) on one batch and
 * counts in_top_k hits of the main logits. To evaluate with averaged weights as research/inception
 * does, call it inside `state.movingAverage.withShadowsAssigned(...)`.
 */
export async function evaluateBatch(model: tf.LayersModel, images: tf.Tensor4D, labels: ArrayLike<number>): Promise<BatchEvaluation> {
  const outputs = model.predict(images);
  const [logits, ...otherOutputs] = Array.isArray(outputs) ? outputs : [outputs];
  tf.dispose(otherOutputs);

  try {
    const numClasses = logits.shape[1] ?? 0;
    const values = { values: await logits.data(), numClasses };
    return {
      exampleCount: labels.length,
      top1HitCount: inTopK(values, labels, 1).filter(Boolean).length,
      top5HitCount: inTopK(values, labels, 5).filter(Boolean).length,
      predictedClasses: predictedClasses(values),
    };
  } finally {
    logits.dispose();
  }
}
