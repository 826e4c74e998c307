import type * as tf from '@tensorflow/tfjs';
import { CHECKPOINT_FILE_NAMES, decodeTensors, serializeTensors, type TrainerCheckpointManifest as CheckpointManifest, type TrainerCheckpointState as CheckpointState } from '@inception/checkpoint';
import { layout, type FileEntry, type ObjectStore } from '@inception/storage';

export { CHECKPOINT_FILE_NAMES, decodeTensors, serializeTensors, type CheckpointManifest, type CheckpointState };

const MANIFEST_NAME = CHECKPOINT_FILE_NAMES.manifest;
const TENSORS_NAME = CHECKPOINT_FILE_NAMES.tensors;

export interface SavedCheckpoint {
  prefix: string;
  manifest: CheckpointManifest;
  manifestFile: FileEntry;
}

/**
 * Writes checkpoints as `tensors.bin` (little-endian values, one tensor after another) plus
 * `checkpoint.json` describing them. That manifest is written last and names every file's
 * SHA-256, so a checkpoint without a manifest is incomplete and ignored.
 */
export class CheckpointStore {
  constructor(private readonly store: ObjectStore) {}

  async save(jobId: string, state: CheckpointState, tensors: tf.NamedTensorMap): Promise<SavedCheckpoint> {
    const prefix = layout.checkpointPrefix(jobId, state.step);
    const { bytes, entries } = await serializeTensors(tensors);
    const tensorsFile = await this.store.put(`${prefix}${TENSORS_NAME}`, bytes);
    const manifest: CheckpointManifest = {
      formatVersion: 1,
      jobId,
      state,
      files: [{ name: TENSORS_NAME, key: tensorsFile.key, sizeBytes: tensorsFile.sizeBytes, sha256: tensorsFile.sha256 }],
      tensors: entries,
      createdAt: new Date().toISOString(),
    };
    const written = await this.store.putJson(`${prefix}${MANIFEST_NAME}`, manifest);
    return { prefix, manifest, manifestFile: { name: MANIFEST_NAME, key: written.key, sizeBytes: written.sizeBytes, sha256: written.sha256 } };
  }

  /** Returns the newest checkpoint of a job that has a manifest, or undefined. */
  async latest(jobId: string): Promise<CheckpointManifest | undefined> {
    const steps: number[] = [];
    for (const prefix of await this.store.listPrefixes(`${layout.runPrefix(jobId)}checkpoints/`)) {
      const match = /step-(\d+)\/$/.exec(prefix);
      if (match && (await this.store.exists(`${prefix}${MANIFEST_NAME}`))) steps.push(Number(match[1]));
    }
    if (steps.length === 0) return undefined;
    const newest = Math.max(...steps);
    return this.store.getJson<CheckpointManifest>(`${layout.checkpointPrefix(jobId, newest)}${MANIFEST_NAME}`);
  }

  /** Reads a checkpoint's tensors after checking tensors.bin against its recorded SHA-256; the caller disposes them. */
  async loadTensors(manifest: CheckpointManifest, tensorsFile?: FileEntry): Promise<tf.NamedTensorMap> {
    const file = tensorsFile ?? manifest.files.find((entry) => entry.name === TENSORS_NAME);
    if (!file) throw new Error(`checkpoint of ${manifest.jobId} at step ${manifest.state.step} lists no ${TENSORS_NAME}`);
    const bytes = await this.store.getVerified(file.key, { sha256: file.sha256, sizeBytes: file.sizeBytes });
    return decodeTensors(bytes, manifest.tensors);
  }

  /** Deletes all but the newest `keep` checkpoints of a job. */
  async prune(jobId: string, keep: number): Promise<void> {
    const prefixes = (await this.store.listPrefixes(`${layout.runPrefix(jobId)}checkpoints/`))
      .map((prefix) => ({ prefix, step: Number(/step-(\d+)\/$/.exec(prefix)?.[1] ?? -1) }))
      .filter((entry) => entry.step >= 0)
      .sort((a, b) => b.step - a.step);
    for (const { prefix } of prefixes.slice(keep)) {
      // The manifest goes first, so a half-deleted checkpoint is never taken for a complete one.
      await this.store.delete(`${prefix}${MANIFEST_NAME}`);
      await this.store.deletePrefix(prefix);
    }
  }
}
