import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expectedVariablesOf, mapResearchCheckpoint, mapSlimCheckpoint, openCheckpoint, serializeTensors, type Checkpoint, type TrainerCheckpointManifest } from '@inception/checkpoint';
import { buildInceptionV3, listModelVariables, TrainingState } from '@inception/inception';
import type { RegistryService } from '@inception/proto';
import type { RpcClient } from '@inception/rpc';
import type { ObjectStore } from '@inception/storage';

export interface ImportOptions {
  model: string;
  format: 'research' | 'slim';
  /** Take `<name>/ExponentialMovingAverage` instead of the raw variables. */
  useAverages: boolean;
  imageSize: number;
  depthMultiplier: number;
  minDepth: number;
  labels: string[];
}

export interface ImportReport {
  model: string;
  version: number;
  numClasses: number;
  auxLogits: boolean;
  mapped: number;
  unmapped: string[];
}

/** Thrown when a checkpoint does not fit the model; the message lists what is missing or mis-shaped. */
export class CheckpointImportError extends Error {
  override readonly name = 'CheckpointImportError';
}

const LOGITS_BIASES = { research: 'logits/logits/biases', slim: 'InceptionV3/Logits/Conv2d_1c_1x1/biases' } as const;
const AUX_PREFIX = { research: 'aux_logits/', slim: 'InceptionV3/AuxLogits/' } as const;

function describeArchitecture(checkpoint: Checkpoint, format: ImportOptions['format']): { numClasses: number; auxLogits: boolean } {
  const logits = checkpoint.tensors.find((tensor) => tensor.name === LOGITS_BIASES[format]);
  if (!logits) throw new CheckpointImportError(`${checkpoint.path} has no ${LOGITS_BIASES[format]}: is it a ${format} Inception v3 checkpoint?`);
  return { numClasses: logits.shape[0]!, auxLogits: checkpoint.tensors.some((tensor) => tensor.name.startsWith(AUX_PREFIX[format])) };
}

/**
 * Imports a TensorFlow Inception v3 checkpoint (research/inception or slim names) as a new model
 * version: maps and shape-checks every variable, fills the optimizer slots and moving averages the
 * way a fresh run starts them (averages equal to the weights), writes the trainer's checkpoint
 * format to object storage and registers it.
 */
export async function importTensorFlowCheckpoint(prefix: string, options: ImportOptions, store: ObjectStore, registry: RpcClient<typeof RegistryService.method>): Promise<ImportReport> {
  const checkpoint = await openCheckpoint(prefix);
  let state: TrainingState | undefined;
  try {
    const { numClasses, auxLogits } = describeArchitecture(checkpoint, options.format);
    state = new TrainingState(buildInceptionV3({ numClasses, imageSize: options.imageSize, depthMultiplier: options.depthMultiplier, minDepth: options.minDepth, auxLogits }));
    const expected = expectedVariablesOf(listModelVariables(state.model));
    const map = options.format === 'research' ? mapResearchCheckpoint : mapSlimCheckpoint;
    const listing = map(checkpoint.tensors, { expected, useAverages: options.useAverages });
    if (listing.missing.length > 0 || listing.shapeMismatches.length > 0) {
      const mismatches = listing.shapeMismatches.map((entry) => `${entry.sourceName} [${entry.checkpointShape}] for ${entry.name} [${entry.expectedShape}]`);
      throw new CheckpointImportError(`${prefix} does not fit the model: missing ${listing.missing.length} (${listing.missing.slice(0, 5).join(', ')}), shape mismatches ${mismatches.length} (${mismatches.slice(0, 5).join('; ')})`);
    }

    const values: tf.NamedTensorMap = {};
    try {
      for (const [name, entry] of Object.entries(listing.mapped)) {
        const tensor = await checkpoint.read(entry.sourceName);
        if (tensor.dtype !== 'float') throw new CheckpointImportError(`${entry.sourceName} has dtype ${tensor.dtype}; model variables are float`);
        values[name] = tf.tensor(tensor.values, entry.shape, 'float32');
      }
      state.restoreCheckpointTensors(values);
      // A fresh run starts its averages at the weights; an import has no better value for them.
      state.movingAverage.setShadows(Object.fromEntries(Object.entries(values).map(([name, tensor]) => [`${name}/ExponentialMovingAverage`, tensor])));
    } finally {
      tf.dispose(Object.values(values));
    }

    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    const folder = `imports/${options.model}/${stamp}/`;
    const { bytes, entries } = await serializeTensors(state.getCheckpointTensors());
    const tensorsFile = await store.put(`${folder}tensors.bin`, bytes);
    const manifest: TrainerCheckpointManifest = {
      formatVersion: 1,
      jobId: `import-${stamp}`,
      state: { step: 0, position: { epoch: 0, offset: 0 }, randomState: 0, learningRate: 0 },
      files: [{ name: 'tensors.bin', key: tensorsFile.key, sizeBytes: tensorsFile.sizeBytes, sha256: tensorsFile.sha256 }],
      tensors: entries,
      createdAt: new Date().toISOString(),
    };
    const manifestFile = await store.putJson(`${folder}checkpoint.json`, manifest);
    const response = await registry.createVersion({
      model: options.model,
      files: [tensorsFile, manifestFile].map((file) => ({ key: file.key, sizeBytes: BigInt(file.sizeBytes), sha256: file.sha256 })),
      lineage: {
        importedCheckpoint: `${path.basename(prefix)} (${options.format}${options.useAverages ? ', moving averages' : ''})`,
        numClasses,
        labels: options.labels.length ? options.labels : Array.from({ length: numClasses - 1 }, (_, index) => `class ${index + 1}`),
        hyperParameters: { imageSize: String(options.imageSize), depthMultiplier: String(options.depthMultiplier), minDepth: String(options.minDepth), auxLogits: String(auxLogits) },
      },
    });
    await store.deletePrefix(folder);
    return { model: options.model, version: response.version!.version, numClasses, auxLogits, mapped: Object.keys(listing.mapped).length, unmapped: listing.unmapped };
  } finally {
    state?.dispose();
    await checkpoint.close();
  }
}
