import * as tf from '@tensorflow/tfjs';
import { layout, type FileEntry, type ObjectStore } from '@inception/storage';

/** Everything besides tensors that a resumed job needs. */
export interface CheckpointState {
  step: number;
  position: { epoch: number; offset: number };
  randomState: number;
  learningRate: number;
}

export interface TensorEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  /** Byte offset in tensors.bin. */
  offsetBytes: number;
  sizeBytes: number;
}

export interface CheckpointManifest {
  formatVersion: 1;
  jobId: string;
  state: CheckpointState;
  files: FileEntry[];
  tensors: TensorEntry[];
  createdAt: string;
}

export interface SavedCheckpoint {
  prefix: string;
  manifest: CheckpointManifest;
  manifestFile: FileEntry;
}

// Not "manifest.json": the registry copies this file into a version folder, whose manifest has that name.
const MANIFEST_NAME = 'checkpoint.json';
const TENSORS_NAME = 'tensors.bin';

/** File names inside a checkpoint folder (and so inside a registered model version). */
export const CHECKPOINT_FILE_NAMES = { manifest: MANIFEST_NAME, tensors: TENSORS_NAME } as const;

/** Lays tensors out as tensors.bin does: sorted by name, values little-endian, one after another. */
export async function serializeTensors(tensors: tf.NamedTensorMap): Promise<{ bytes: Buffer; entries: TensorEntry[] }> {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offsetBytes = 0;
  for (const name of Object.keys(tensors).sort()) {
    const tensor = tensors[name]!;
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
      throw new Error(`checkpoint: tensor ${name} has dtype ${tensor.dtype}; only float32 and int32 are stored`);
    }
    const values = await tensor.data();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    chunks.push(bytes.slice());
    entries.push({ name, dtype: tensor.dtype, shape: tensor.shape, offsetBytes, sizeBytes: bytes.byteLength });
    offsetBytes += bytes.byteLength;
  }
  return { bytes: Buffer.concat(chunks), entries };
}

/** Splits tensors.bin into tensors as its manifest describes them; the caller disposes them. */
export function decodeTensors(bytes: Uint8Array, entries: TensorEntry[]): tf.NamedTensorMap {
  const tensors: tf.NamedTensorMap = {};
  for (const entry of entries) {
    if (entry.offsetBytes + entry.sizeBytes > bytes.byteLength) {
      throw new Error(`tensor ${entry.name} ends at byte ${entry.offsetBytes + entry.sizeBytes}, past the ${bytes.byteLength} bytes of ${TENSORS_NAME}`);
    }
    const slice = bytes.buffer.slice(bytes.byteOffset + entry.offsetBytes, bytes.byteOffset + entry.offsetBytes + entry.sizeBytes);
    const values = entry.dtype === 'int32' ? new Int32Array(slice) : new Float32Array(slice);
    tensors[entry.name] = tf.tensor(values, entry.shape, entry.dtype);
  }
  return tensors;
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
