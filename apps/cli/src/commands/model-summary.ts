import { buildInceptionV3, summarizeModel } from '@inception/inception';
import { initBackend } from '@inception/tf-runtime';

export interface ModelSummaryOptions {
  numClasses: number;
  imageSize: number;
  depthMultiplier: number;
  minDepth: number;
  auxLogits: boolean;
  json: boolean;
}

/** `inception model summary`: builds the model on the cpu backend and prints its shapes and counts. */
export async function runModelSummary(options: ModelSummaryOptions): Promise<void> {
  await initBackend({ forced: 'cpu' });
  const model = buildInceptionV3({ numClasses: options.numClasses, imageSize: options.imageSize, depthMultiplier: options.depthMultiplier, minDepth: options.minDepth, auxLogits: options.auxLogits });
  const summary = summarizeModel(model);
  if (options.json) {
    console.log(JSON.stringify(summary, null, 2));
  } else {
    for (const layer of summary.layers) {
      console.log(`${layer.name.padEnd(48)} ${JSON.stringify(layer.outputShape).padEnd(24)} ${String(layer.paramCount).padStart(10)}`);
    }
    console.log(`total ${summary.totalParamCount}, trainable ${summary.trainableParamCount}, non-trainable ${summary.nonTrainableParamCount}`);
  }
  model.dispose();
}
