import type * as tf from '@tensorflow/tfjs';

export interface LayerSummary {
  name: string;
  /** tfjs class name, such as `Conv2D` or `InceptionBatchNorm`. */
  className: string;
  /** Output shape with `null` for the batch axis, or one shape per output for multi-output layers. */
  outputShape: tf.Shape | tf.Shape[];
  paramCount: number;
  trainableParamCount: number;
}

export interface ModelSummary {
  layers: LayerSummary[];
  totalParamCount: number;
  trainableParamCount: number;
  nonTrainableParamCount: number;
}

/** Lists every layer's output shape and parameter counts, and the model totals. */
export function summarizeModel(model: tf.LayersModel): ModelSummary {
  const layers = model.layers.map((layer) => ({
    name: layer.name,
    className: layer.getClassName(),
    outputShape: layer.outputShape,
    paramCount: layer.countParams(),
    trainableParamCount: countElements(layer.trainableWeights.map((weight) => weight.shape)),
  }));

  const trainableParamCount = countElements(model.trainableWeights.map((weight) => weight.shape));
  const nonTrainableParamCount = countElements(model.nonTrainableWeights.map((weight) => weight.shape));
  return {
    layers,
    totalParamCount: trainableParamCount + nonTrainableParamCount,
    trainableParamCount,
    nonTrainableParamCount,
  };
}

function countElements(shapes: tf.Shape[]): number {
  let count = 0;
  for (const shape of shapes) {
    count += shape.reduce<number>((product, dimension) => product * (dimension ?? 0), 1);
  }
  return count;
}
