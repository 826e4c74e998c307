import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { CHECKPOINT_FILE_NAMES, decodeTensors, type CheckpointFileSystem, type TrainerCheckpointManifest } from '@inception/checkpoint';

/** One tensor of a trainer checkpoint, in the rows `checkpoint inspect` prints. */
export interface TrainerTensorView {
  name: string;
  dtype: string;
  shape: number[];
  numElements: number;
  sum: number;
}

/**
 * Reads one of this project's own checkpoints (a folder with checkpoint.json and tensors.bin, as the
 * trainer writes and the registry versions), or returns undefined when `path` is not one. The
 * tensors file is checked against the SHA-256 the manifest records.
 */
export async function readTrainerCheckpoint(fileSystem: CheckpointFileSystem, path: string): Promise<{ manifestPath: string; tensors: TrainerTensorView[] } | undefined> {
  const folder = path.endsWith(CHECKPOINT_FILE_NAMES.manifest) ? path.slice(0, -CHECKPOINT_FILE_NAMES.manifest.length).replace(/\/$/, '') : path.replace(/\/$/, '');
  const manifestPath = `${folder}/${CHECKPOINT_FILE_NAMES.manifest}`;
  const manifestSource = await fileSystem.open(manifestPath).catch(() => undefined);
  if (!manifestSource) return undefined;

  const manifest = JSON.parse(Buffer.from(await manifestSource.read(0, manifestSource.sizeBytes)).toString('utf8')) as TrainerCheckpointManifest;
  await manifestSource.close();
  const tensorsPath = `${folder}/${CHECKPOINT_FILE_NAMES.tensors}`;
  const tensorsSource = await fileSystem.open(tensorsPath);
  if (!tensorsSource) throw new Error(`${manifestPath} names ${CHECKPOINT_FILE_NAMES.tensors}, which is missing`);
  const bytes = await tensorsSource.read(0, tensorsSource.sizeBytes);
  await tensorsSource.close();
  const recorded = manifest.files.find((file) => file.name === CHECKPOINT_FILE_NAMES.tensors);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (recorded && recorded.sha256 !== sha256) {
    throw new Error(`${tensorsPath}: SHA-256 ${sha256} differs from the ${recorded.sha256} that ${manifestPath} records`);
  }

  const tensors = decodeTensors(bytes, manifest.tensors);
  try {
    const views: TrainerTensorView[] = [];
    for (const entry of manifest.tensors) {
      const values = await tensors[entry.name]!.data();
      let sum = 0;
      for (const value of values) sum += value;
      views.push({ name: entry.name, dtype: entry.dtype === 'int32' ? 'int32' : 'float', shape: entry.shape, numElements: values.length, sum });
    }
    return { manifestPath, tensors: views };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
