import * as tf from '@tensorflow/tfjs';
import type { FileEntry } from '@inception/storage';

// The trainer's own checkpoint format: tensors.bin holds every tensor's values back to back and
// checkpoint.json describes them. Registered model versions are copies of such checkpoints.

/** Everything besides tensors that a resumed job needs. */
export interface TrainerCheckpointState {
  step: number;
  position: { epoch: number; offset: number };
  randomState: number;
  learningRate: number;
}

export interface TrainerTensorEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  /** Byte offset in tensors.bin. */
  offsetBytes: number;
  sizeBytes: number;
}

export interface TrainerCheckpointManifest {
  formatVersion: 1;
  jobId: string;
  state: TrainerCheckpointState;
  files: FileEntry[];
  tensors: TrainerTensorEntry[];
  createdAt: string;
}

// Not "manifest.json": the registry copies this file into a version folder, whose manifest has that name.
const MANIFEST_NAME = 'checkpoint.json';
const TENSORS_NAME = 'tensors.bin';

/** File names inside a checkpoint folder (and so inside a registered model version). */
export const CHECKPOINT_FILE_NAMES = { manifest: MANIFEST_NAME, tensors: TENSORS_NAME } as const;

/** Lays tensors out as tensors.bin does: sorted by name, values little-endian, one after another. */
export async function serializeTensors(tensors: tf.NamedTensorMap): Promise<{ bytes: Buffer; entries: TrainerTensorEntry[] }> {
  const entries: TrainerTensorEntry[] = [];
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
export function decodeTensors(bytes: Uint8Array, entries: TrainerTensorEntry[]): tf.NamedTensorMap {
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
