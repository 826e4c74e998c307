import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildInceptionV3, TrainingState } from '@inception/inception';
import type { FileEntry, ObjectStore } from '@inception/storage';
import { CHECKPOINT_FILE_NAMES, decodeTensors, type TrainerCheckpointManifest } from './trainer-checkpoint.js';

/** Description of a registered version's model: enough to rebuild it. */
export interface VersionModelDescription {
  /** "<model>@<version>", for messages. */
  reference: string;
  files: Array<{ key: string; sizeBytes: number; sha256: string }>;
  numClasses: number;
  labels: string[];
  /** Lineage hyper-parameters as text: imageSize, depthMultiplier, minDepth, auxLogits. */
  hyperParameters: Record<string, string>;
}

function fileNamed(description: VersionModelDescription, name: string): FileEntry {
  const file = description.files.find((entry) => path.posix.basename(entry.key) === name);
  if (!file) throw new Error(`${description.reference} has no ${name}: it was not made from a trainer checkpoint`);
  return { name, ...file };
}

/**
 * Rebuilds a registered version's model with every variable, optimizer slot and moving average,
 * after checking each file against the SHA-256 the registry recorded. The caller disposes it.
 */
export async function loadVersionState(store: ObjectStore, description: VersionModelDescription): Promise<TrainingState> {
  const checkpointFile = fileNamed(description, CHECKPOINT_FILE_NAMES.manifest);
  const tensorsFile = fileNamed(description, CHECKPOINT_FILE_NAMES.tensors);
  const checkpoint = JSON.parse((await store.getVerified(checkpointFile.key, checkpointFile)).toString('utf8')) as TrainerCheckpointManifest;
  const tensors = decodeTensors(await store.getVerified(tensorsFile.key, tensorsFile), checkpoint.tensors);

  const parameters = description.hyperParameters;
  const state = new TrainingState(
    buildInceptionV3({
      numClasses: description.numClasses,
      imageSize: Number(parameters.imageSize),
      depthMultiplier: Number(parameters.depthMultiplier),
      minDepth: Number(parameters.minDepth),
      auxLogits: parameters.auxLogits === 'true',
    }),
  );
  try {
    const restore = state.restoreCheckpointTensors(tensors);
    if (restore.missingNames.length > 0) {
      throw new Error(`${description.reference} lacks ${restore.missingNames.length} tensors, e.g. ${restore.missingNames[0]}`);
    }
    return state;
  } catch (error) {
    state.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
