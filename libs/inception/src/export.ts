import * as tf from '@tensorflow/tfjs';

import { buildInceptionV3 } from './model.js';
import type { TrainingState } from './training-state.js';

export interface ExportOptions {
  /** Export the moving averages of the weights, as research/inception evaluates them. Default true. */
  useMovingAverages?: boolean;
}

/**
 * Copies a trained model into one made of stock tfjs layers and returns its `model.json` topology
 * and weights, which `tf.loadLayersModel` reads without this project's code. Batch normalization
 * gets a gamma of ones, because the recipe's batch norm has no scale.
 */
export async function exportStockModel(state: TrainingState, options: ExportOptions = {}): Promise<tf.io.ModelArtifacts> {
  const stock = buildInceptionV3({ ...state.config, stockLayers: true });
  try {
    const copyWeights = () => {
      for (const layer of stock.layers) {
        if (layer.weights.length === 0) continue;
        const source = state.model.getLayer(layer.name).getWeights();
        if (layer.getClassName() === 'BatchNormalization') {
          // Stock order: gamma, beta, moving_mean, moving_variance; ours: beta, moving_mean, moving_variance.
          const [beta, movingMean, movingVariance] = source;
          const gamma = tf.onesLike(beta!);
          layer.setWeights([gamma, beta!, movingMean!, movingVariance!]);
          gamma.dispose();
        } else {
          layer.setWeights(source);
        }
      }
    };
    if (options.useMovingAverages ?? true) {
      await state.movingAverage.withShadowsAssigned(copyWeights);
    } else {
      copyWeights();
    }

    let artifacts: tf.io.ModelArtifacts | undefined;
    await stock.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (!artifacts) throw new Error('exportStockModel: tfjs saved no artifacts');
    return artifacts;
  } finally {
    stock.dispose();
  }
}
