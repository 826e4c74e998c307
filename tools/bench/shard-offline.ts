import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { planShardSet } from '@inception/sharding';
import type { DatasetManifest } from '@inception/storage';
import { buildImageExample, encodeExample, formatRecordIndex, indexKeyFor, writeTFRecordFile } from '@inception/tfrecord';
import pLimit from 'p-limit';
import { processTreeCpuSeconds } from './shard-processes.js';

export interface ShardShape {
  trainShards: number;
  validationShards: number;
  numThreads: number;
  compression: 'none' | 'gzip' | 'zlib';
}

export interface OfflineRun {
  seconds: number;
  cpuSeconds: number;
  images: number;
  /** SHA-256 of every shard, by file name, e.g. "train-00000-of-00032". */
  digests: Record<string, string>;
}

async function digestsOf(folder: string, names: string[]): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const name of names) digests[name] = createHash('sha256').update(await readFile(path.join(folder, name))).digest('hex');
  return digests;
}

/**
 * Writes the shards of `manifest` with libs/tfrecord straight to `outputDir`, reading the images
 * from `imagesDir` (`<split>/<class>/<file>`): the sharding service's work without the object
 * store, gRPC or verification. Up to `numThreads` shards are written at once.
 */
export async function writeShardsWithLibrary(manifest: DatasetManifest, imagesDir: string, outputDir: string, shape: ShardShape): Promise<OfflineRun> {
  await rm(outputDir, { recursive: true, force: true });
  await mkdir(path.join(outputDir, 'index'), { recursive: true });
  const units = planShardSet(manifest, { ...shape, seed: 12345 });
  const limit = pLimit(shape.numThreads);

  const startedMs = performance.now();
  const startCpu = process.cpuUsage();
  await Promise.all(
    units.map((unit) =>
      limit(async () => {
        const records: Uint8Array[] = [];
        for (const position of unit.imagePositions) {
          const image = manifest.images[unit.split][position]!;
          const encoded = await readFile(path.join(imagesDir, unit.split, image.sourcePath));
          records.push(encodeExample(buildImageExample({ encoded, height: image.height, width: image.width, label: image.label, text: image.className, filename: path.posix.basename(image.sourcePath) })));
        }
        const name = path.posix.basename(unit.shardKey);
        const summary = await writeTFRecordFile(path.join(outputDir, name), records, { compression: shape.compression });
        await writeFile(path.join(outputDir, indexKeyFor(name)), formatRecordIndex(summary.locations));
      }),
    ),
  );
  const cpu = process.cpuUsage(startCpu);
  const seconds = (performance.now() - startedMs) / 1000;

  const names = units.map((unit) => path.posix.basename(unit.shardKey));
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, images: manifest.images.train.length + manifest.images.validation.length, digests: await digestsOf(outputDir, names) };
}

/**
 * Runs `inception build-image-data` on `imagesDir` as its own process. Time and CPU are taken
 * from its first output line ("Saving results to …") to its last closing line, so the start-up
 * of Node.js and tsx is not counted.
 */
export async function runBuildImageData(repoRoot: string, imagesDir: string, outputDir: string, shape: ShardShape): Promise<OfflineRun> {
  await rm(outputDir, { recursive: true, force: true });
  const args = [
    '--import',
    import.meta.resolve('tsx'),
    path.join(repoRoot, 'apps/cli/src/main.ts'),
    'build-image-data',
    '--train_directory', path.join(imagesDir, 'train'),
    '--validation_directory', path.join(imagesDir, 'validation'),
    '--output_directory', outputDir,
    '--labels_file', path.join(imagesDir, 'labels.txt'),
    '--train_shards', String(shape.trainShards),
    '--validation_shards', String(shape.validationShards),
    '--num_threads', String(shape.numThreads),
  ];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });

  let start: { ms: number; cpuSeconds: number } | undefined;
  let end: { ms: number; cpuSeconds: number } | undefined;
  let images = 0;
  let finishedSplits = 0;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (!start && line.startsWith('Saving results to')) start = { ms: performance.now(), cpuSeconds: processTreeCpuSeconds(child.pid!) };
    const finished = /Finished writing all (\d+) images in data set\./.exec(line);
    if (finished) {
      images += Number(finished[1]);
      finishedSplits += 1;
      if (finishedSplits === 2) end = { ms: performance.now(), cpuSeconds: processTreeCpuSeconds(child.pid!) };
    }
  });
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (exitCode !== 0 || !start || !end) {
    throw new Error(`inception build-image-data exited with ${exitCode} before its closing lines: ${stderr.trim().split('\n').slice(-5).join('\n')}`);
  }

  const names = [
    ...Array.from({ length: shape.trainShards }, (_, index) => `train-${String(index).padStart(5, '0')}-of-${String(shape.trainShards).padStart(5, '0')}`),
    ...Array.from({ length: shape.validationShards }, (_, index) => `validation-${String(index).padStart(5, '0')}-of-${String(shape.validationShards).padStart(5, '0')}`),
  ];
  return { seconds: (end.ms - start.ms) / 1000, cpuSeconds: end.cpuSeconds - start.cpuSeconds, images, digests: await digestsOf(outputDir, names) };
}
