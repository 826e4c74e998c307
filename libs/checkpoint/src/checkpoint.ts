import { localFileSystem, type ByteSource, type CheckpointFileSystem } from './byte-source.js';
import { BundleReader } from './bundle-reader.js';
import { parseCheckpointState } from './checkpoint-state.js';
import { CheckpointError } from './errors.js';
import { TensorSliceReader } from './slice-reader.js';
import { FOOTER_SIZE_BYTES, hasTableMagic } from './sstable/format.js';
import type { CheckpointTensor, CheckpointTensorInfo } from './tensor.js';

/** `v1`: one SSTable of SavedTensorSlices. `v2`: a tensor bundle, `<prefix>.index` plus data files. */
export type CheckpointFormat = 'v1' | 'v2';

/** An open checkpoint: its tensor list, and reads of one tensor at a time. */
export interface Checkpoint {
  readonly format: CheckpointFormat;
  /** The V1 file or the V2 prefix that was opened. */
  readonly path: string;
  /** Every tensor with its dtype and shape, sorted by name; listing reads no tensor values. */
  readonly tensors: readonly CheckpointTensorInfo[];
  /** Reads one tensor's values, checking its CRCs. */
  read(name: string): Promise<CheckpointTensor>;
  /** Closes the files; later reads fail. */
  close(): Promise<void>;
}

export interface OpenCheckpointOptions {
  /** File system that contains the checkpoint. Default: the local file system. Pass `memoryFileSystem` for bytes fetched from object storage. */
  fileSystem?: CheckpointFileSystem;
}

/** Size limit of a `checkpoint` state file, which lists a few paths. */
const MAX_STATE_FILE_BYTES = 1 << 20;

/**
 * Opens a TensorFlow checkpoint and detects whether it is V1 or V2. `prefixOrPath` may be a V2
 * prefix (`model.ckpt-46900`), its `.index` or a `.data-*` file, a V1 file, a folder containing a
 * `checkpoint` state file, or that state file itself. A state file leads to its
 * `model_checkpoint_path`. An absolute path in a state file that does not exist is retried as its
 * base name inside the state file's folder, since state files keep the writing machine's paths.
 *
 * NOTE: V1 checkpoints saved in shards (`model.ckpt-00000-of-00002`, with the pattern
 * `model.ckpt-?????-of-00002` in the state file) are not combined, so open each shard as a file.
 */
export async function openCheckpoint(prefixOrPath: string, options: OpenCheckpointOptions = {}): Promise<Checkpoint> {
  return openResolved(prefixOrPath, options.fileSystem ?? localFileSystem, true);
}

/** Opens a checkpoint (see {@link openCheckpoint}), reads every tensor and closes it. */
export async function readCheckpoint(prefixOrPath: string, options: OpenCheckpointOptions = {}): Promise<CheckpointTensor[]> {
  const checkpoint = await openCheckpoint(prefixOrPath, options);
  try {
    const tensors: CheckpointTensor[] = [];
    for (const { name } of checkpoint.tensors) tensors.push(await checkpoint.read(name));
    return tensors;
  } finally {
    await checkpoint.close();
  }
}

async function openResolved(prefixOrPath: string, fileSystem: CheckpointFileSystem, followState: boolean): Promise<Checkpoint> {
  if (/\?{5}-of-\d{5}$/.test(prefixOrPath)) {
    throw new CheckpointError({ fileName: prefixOrPath, check: 'unsupported', detail: 'sharded V1 checkpoints are not combined; open each shard file, such as model.ckpt-00000-of-00002' });
  }
  const bundlePrefix = /^(.*)(\.index|\.data-\d{5}-of-\d{5})$/.exec(prefixOrPath)?.[1];
  if (bundlePrefix !== undefined) return openBundle(bundlePrefix, fileSystem);

  const index = await fileSystem.open(`${prefixOrPath}.index`);
  if (index !== undefined) {
    await index.close();
    return openBundle(prefixOrPath, fileSystem);
  }

  const file = await fileSystem.open(prefixOrPath);
  if (file !== undefined) {
    const footer = await file.read(Math.max(0, file.sizeBytes - FOOTER_SIZE_BYTES), Math.min(file.sizeBytes, FOOTER_SIZE_BYTES)).catch(async (error: unknown) => {
      await file.close();
      throw error;
    });
    if (hasTableMagic(footer)) return openSliceFile(prefixOrPath, file);
    if (followState) return openFromStateFile(prefixOrPath, file, fileSystem);
    await file.close();
    throw new CheckpointError({ fileName: prefixOrPath, check: 'corrupt', detail: 'the file is neither a V1 checkpoint (an SSTable) nor a V2 index' });
  }

  const stateFile = followState ? await fileSystem.open(joinPath(prefixOrPath, 'checkpoint')) : undefined;
  if (stateFile !== undefined) return openFromStateFile(joinPath(prefixOrPath, 'checkpoint'), stateFile, fileSystem);

  throw new CheckpointError({ fileName: prefixOrPath, check: 'not-found', detail: `no checkpoint found: no V1 file, no V2 index ${prefixOrPath}.index and no state file ${joinPath(prefixOrPath, 'checkpoint')}` });
}

async function openBundle(prefix: string, fileSystem: CheckpointFileSystem): Promise<Checkpoint> {
  const reader = await BundleReader.open(prefix, fileSystem);
  return { format: 'v2', path: prefix, tensors: reader.tensors, read: (name) => reader.read(name), close: () => reader.close() };
}

async function openSliceFile(path: string, source: ByteSource): Promise<Checkpoint> {
  const reader = await TensorSliceReader.open(source);
  return { format: 'v1', path, tensors: reader.tensors, read: (name) => reader.read(name), close: () => reader.close() };
}

async function openFromStateFile(statePath: string, file: ByteSource, fileSystem: CheckpointFileSystem): Promise<Checkpoint> {
  let text: string;
  try {
    if (file.sizeBytes > MAX_STATE_FILE_BYTES) {
      throw new CheckpointError({ fileName: statePath, check: 'corrupt', detail: `the file is neither an SSTable nor a checkpoint state file of at most ${MAX_STATE_FILE_BYTES} bytes` });
    }
    text = new TextDecoder().decode(await file.read(0, file.sizeBytes));
  } finally {
    await file.close();
  }

  const state = parseCheckpointState(text);
  if (state === undefined) {
    throw new CheckpointError({ fileName: statePath, check: 'corrupt', detail: 'the file is neither an SSTable nor a checkpoint state file with a model_checkpoint_path line' });
  }
  const folder = dirName(statePath);
  const target = state.modelCheckpointPath;
  if (!target.startsWith('/')) return openResolved(joinPath(folder, target), fileSystem, false);
  try {
    return await openResolved(target, fileSystem, false);
  } catch (error) {
    if (!(error instanceof CheckpointError && error.check === 'not-found')) throw error;
    return openResolved(joinPath(folder, baseName(target)), fileSystem, false);
  }
}

function joinPath(folder: string, name: string): string {
  return folder === '' ? name : `${folder.replace(/\/+$/, '')}/${name}`;
}

function dirName(filePath: string): string {
  const slash = filePath.lastIndexOf('/');
  if (slash < 0) return '';
  if (slash === 0) return '/';
  return filePath.slice(0, slash);
}

function baseName(filePath: string): string {
  return filePath.slice(filePath.lastIndexOf('/') + 1);
}
