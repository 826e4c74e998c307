import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadVersionState } from '@inception/checkpoint';
import { exportStockModel } from '@inception/inception';
import type { ModelVersion } from '@inception/proto';
import type { ObjectStore } from '@inception/storage';

export interface ExportedFiles {
  modelJsonPath: string;
  weightsPath: string;
  labelsPath: string;
}

const WEIGHTS_FILE_NAME = 'weights.bin';

/**
 * Writes a registered version as a tfjs layers model of stock layers: `model.json` and
 * `weights.bin` hold the moving averages of the weights, and `labels.txt` has the class of
 * logit i on line i (line 0 is the background class). `tf.loadLayersModel` runs the result
 * without this project's code.
 */
export async function exportVersion(store: ObjectStore, version: ModelVersion, directory: string): Promise<ExportedFiles> {
  const lineage = version.lineage;
  if (!lineage) throw new Error(`${version.model}@${version.version} has no lineage`);
  const state = await loadVersionState(store, {
    reference: `${version.model}@${version.version}`,
    files: version.files.map((file) => ({ key: file.key, sizeBytes: Number(file.sizeBytes), sha256: file.sha256 })),
    numClasses: lineage.numClasses,
    labels: lineage.labels,
    hyperParameters: lineage.hyperParameters,
  });
  try {
    const artifacts = await exportStockModel(state);
    const weightData = artifacts.weightData instanceof ArrayBuffer ? artifacts.weightData : tf.io.concatenateArrayBuffers(artifacts.weightData ?? []);
    const modelJson = {
      format: 'layers-model',
      generatedBy: `inception models export ${version.model}@${version.version}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE_NAME], weights: artifacts.weightSpecs }],
    };

    await mkdir(directory, { recursive: true });
    const files = {
      modelJsonPath: path.join(directory, 'model.json'),
      weightsPath: path.join(directory, WEIGHTS_FILE_NAME),
      labelsPath: path.join(directory, 'labels.txt'),
    };
    await writeFile(files.weightsPath, Buffer.from(weightData));
    await writeFile(files.labelsPath, `${['(background)', ...lineage.labels].join('\n')}\n`);
    // model.json last: a folder with model.json has every file it names.
    await writeFile(files.modelJsonPath, JSON.stringify(modelJson));
    return files;
  } finally {
    state.dispose();
  }
}
