import type { Command } from 'commander';
import { bytesSource, isDecodedDType, localFileSystem, openCheckpoint, sumTensorValues, type CheckpointFileSystem } from '@inception/checkpoint';
import { isS3Uri, parseS3Uri, type ObjectStore } from '@inception/storage';
import { initBackend } from '@inception/tf-runtime';

import { objectStoreFromEnv } from '../build-image-data/object-store-env.js';
import { readTrainerCheckpoint, type TrainerTensorView } from './trainer-checkpoint-inspect.js';

/** Options of `inception checkpoint inspect`. */
export interface CheckpointInspectOptions {
  json: boolean;
}

/** One printed tensor. `sum` is null for strings and for dtypes whose values are not decoded. */
interface TensorView {
  name: string;
  dtype: string;
  shape: number[];
  numElements: number;
  sum: number | null;
}

/** Adds `inception checkpoint inspect` to `program`. */
export function registerCheckpointCommands(program: Command): void {
  program
    .command('checkpoint')
    .description('TensorFlow checkpoint tools')
    .command('inspect')
    .description(
      'print every tensor of a TensorFlow V1 or V2 checkpoint, or of one of this project\'s (a folder with checkpoint.json): name, dtype, shape, element count and sum. Every ' +
        'block and tensor CRC is checked. PREFIX is a V2 prefix, a V1 file, or a folder or `checkpoint` state file ' +
        'naming one; s3://bucket/key paths use S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY from the environment',
    )
    .argument('<prefix>', 'checkpoint prefix, file or folder, local or s3://')
    .option('--json', 'print JSON: the format, the opened path and the tensors', false)
    .action(async (prefix: string, options: CheckpointInspectOptions) => runCheckpointInspect(prefix, options));
}

/**
 * `inception checkpoint inspect`: opens the checkpoint, then reads one tensor at a time, so a local
 * checkpoint is never in memory at once (from object storage, each file is downloaded whole).
 * Throws on the first damaged tensor, after the text rows of the tensors before it.
 */
export async function runCheckpointInspect(prefix: string, options: CheckpointInspectOptions): Promise<void> {
  // A trainer checkpoint is decoded into tfjs tensors to sum them, which the cpu backend does fast
  // enough. Without an explicit backend tfjs would pick cpu itself and print its Node.js advert.
  await initBackend({ forced: 'cpu' });
  const { fileSystem, path } = fileSystemFor(prefix);
  const trainer = await readTrainerCheckpoint(fileSystem, path);
  if (trainer) {
    printTrainerCheckpoint(describePath(prefix, trainer.manifestPath), trainer.tensors, options);
    return;
  }
  const checkpoint = await openCheckpoint(path, { fileSystem });
  try {
    const columns = columnWidths(checkpoint.tensors.map((tensor) => ({ ...tensor, sum: null })));
    const totalElements = checkpoint.tensors.reduce((total, tensor) => total + tensor.numElements, 0);
    if (!options.json) {
      console.log(`${checkpoint.format.toUpperCase()} checkpoint ${describePath(prefix, checkpoint.path)}: ${checkpoint.tensors.length} tensors, ${totalElements} elements`);
      console.log(formatRow(['name', 'dtype', 'shape', 'elements', 'sum'], columns));
    }

    const views: TensorView[] = [];
    for (const info of checkpoint.tensors) {
      const sum = isDecodedDType(info.dtype) ? (sumTensorValues(await checkpoint.read(info.name)) ?? null) : null;
      const view = { name: info.name, dtype: info.dtype, shape: info.shape, numElements: info.numElements, sum };
      views.push(view);
      if (!options.json) console.log(formatRow([view.name, view.dtype, formatShape(view.shape), String(view.numElements), formatSum(view.sum)], columns));
    }

    if (options.json) {
      console.log(JSON.stringify({ format: checkpoint.format, path: describePath(prefix, checkpoint.path), tensors: views }, null, 2));
    }
  } finally {
    await checkpoint.close();
  }
}

function printTrainerCheckpoint(manifestPath: string, tensors: TrainerTensorView[], options: CheckpointInspectOptions): void {
  if (options.json) {
    console.log(JSON.stringify({ format: 'trainer', path: manifestPath, tensors }, null, 2));
    return;
  }
  const columns = columnWidths(tensors);
  console.log(`trainer checkpoint ${manifestPath}: ${tensors.length} tensors, ${tensors.reduce((total, tensor) => total + tensor.numElements, 0)} elements`);
  console.log(formatRow(['name', 'dtype', 'shape', 'elements', 'sum'], columns));
  for (const tensor of tensors) console.log(formatRow([tensor.name, tensor.dtype, formatShape(tensor.shape), String(tensor.numElements), formatSum(tensor.sum)], columns));
}

/** Returns the file system and the path inside it: the local one, or the bucket of an s3:// URI. */
function fileSystemFor(prefix: string): { fileSystem: CheckpointFileSystem; path: string } {
  if (!isS3Uri(prefix)) return { fileSystem: localFileSystem, path: prefix };
  const { bucket, key } = parseS3Uri(prefix);
  const store = objectStoreFromEnv(bucket, prefix, process.env);
  return { fileSystem: objectStoreFileSystem(store, bucket), path: key.replace(/\/+$/, '') };
}

/**
 * Reads checkpoint files from object storage. The store has no ranged reads, so each file is
 * downloaded whole when first opened: a V2 data shard when its first tensor is read.
 */
function objectStoreFileSystem(store: ObjectStore, bucket: string): CheckpointFileSystem {
  return {
    open: async (key) => {
      if ((await store.stat(key)) === undefined) return undefined;
      return bytesSource(`s3://${bucket}/${key}`, await store.getBytes(key));
    },
  };
}

function describePath(prefix: string, openedPath: string): string {
  return isS3Uri(prefix) ? `s3://${parseS3Uri(prefix).bucket}/${openedPath}` : openedPath;
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Formats a sum to 9 significant digits without trailing zeros; integers below 1e21 print in full. */
function formatSum(sum: number | null): string {
  if (sum === null) return '-';
  return Number.isInteger(sum) ? String(sum) : String(Number(sum.toPrecision(9)));
}

function columnWidths(tensors: readonly TensorView[]): number[] {
  const nameWidth = Math.max(4, ...tensors.map((tensor) => tensor.name.length));
  const dtypeWidth = Math.max(5, ...tensors.map((tensor) => tensor.dtype.length));
  const shapeWidth = Math.max(5, ...tensors.map((tensor) => formatShape(tensor.shape).length));
  const elementsWidth = Math.max(8, ...tensors.map((tensor) => String(tensor.numElements).length));
  return [nameWidth, dtypeWidth, shapeWidth, elementsWidth];
}

function formatRow(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]) : cell)).join('  ');
}
