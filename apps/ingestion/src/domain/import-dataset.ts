import type { DatasetImage, SkippedImage, Split } from '@inception/storage';
import type { DatasetRepository, StoredManifest } from '../storage/dataset-repository.js';
import type { ImagePackWriter } from '../storage/image-pack-writer.js';
import { compareCodePoints, type ClassFolderRoot, type ClassFolderScan } from '../sources/types.js';
import { datasetContentDigest } from './content-digest.js';
import { ImportError } from './errors.js';
import type { ImportRun } from './import-progress.js';
import { resolveLabels, type LabelSource } from './labels.js';
import type { IngestionManifest } from './manifest.js';
import { processFile, type FileOutcome, type ProcessFileOptions } from './process-file.js';
import { assignSplits, type AssignedFile, type SplitPolicy } from './split-policy.js';

/** The class-folder roots of an import: two split roots, or one root and a split policy. */
export type ImportRoots =
  | { kind: 'split-roots'; train: ClassFolderRoot; validation: ClassFolderRoot }
  | { kind: 'single-root'; root: ClassFolderRoot; split: SplitPolicy };

export interface ImportRequest {
  name: string;
  roots: ImportRoots;
  labels: LabelSource;
  /** The source as the request named it, recorded in the manifest. */
  source: string;
}

/** Outcome of one file, for metrics. */
export interface FileEvent {
  split: Split;
  outcome: 'kept' | 'converted' | 'skipped';
  reason?: string;
  sourceBytes: number;
  storedBytes: number;
}

export interface ImportOptions extends ProcessFileOptions {
  /** Files read and decoded at once. */
  concurrency: number;
  /** Image packs uploading to the object store at once, beside the decoding. */
  uploadConcurrency: number;
  /** Age after which a pack that no version lists counts as left by a killed import and is deleted, in ms. */
  unlistedPackAgeMs: number;
  /** Called with the keys of such packs when some were deleted, for the log. */
  onUnlistedPacksDeleted?: (keys: string[]) => void;
  /** Aborting stops the import before the next file; nothing is published. */
  signal?: AbortSignal;
  /** Progress shared with WatchImport. */
  run?: ImportRun;
  onFile?: (event: FileEvent) => void;
}

export interface ImportResult {
  stored: StoredManifest;
  created: boolean;
}

async function scanAndAssign(request: ImportRequest): Promise<{ labels: string[]; assigned: AssignedFile[]; skipped: SkippedImage[] }> {
  const toSkipped = (split: Split, scan: ClassFolderScan) => scan.skipped.map((entry) => ({ split, sourcePath: entry.relativePath, reason: entry.reason, detail: entry.detail }));
  const roots = request.roots;
  if (roots.kind === 'single-root') {
    const scan = await roots.root.scan();
    const labels = resolveLabels(request.labels, { description: roots.root.description, classNames: scan.classNames });
    // Files found before the split have no split of their own; they are reported under train.
    return { labels, assigned: assignSplits(scan.files, roots.split), skipped: toSkipped('train', scan) };
  }

  const train = await roots.train.scan();
  const validation = await roots.validation.scan();
  const labels = resolveLabels(request.labels, { description: roots.train.description, classNames: train.classNames }, { description: roots.validation.description, classNames: validation.classNames });
  const assigned = [...train.files.map((file) => ({ split: 'train' as const, file })), ...validation.files.map((file) => ({ split: 'validation' as const, file }))];
  return { labels, assigned, skipped: [...toSkipped('train', train), ...toSkipped('validation', validation)] };
}

const LABELS_FROM = { list: 'request', file: 'labels-file', folders: 'folder-names' } as const;

/**
 * Processes every assigned file with `concurrency` workers and waits until their images are
 * stored. The first failure stops the rest and deletes the packs stored so far.
 */
async function processAll(sink: ImagePackWriter, request: ImportRequest, assigned: AssignedFile[], labelOf: Map<string, number>, options: ImportOptions): Promise<FileOutcome[]> {
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const outcomes = new Array<FileOutcome>(assigned.length);
  let next = 0;

  const worker = async () => {
    while (next < assigned.length) {
      stop.signal.throwIfAborted();
      const index = next++;
      const { split, file } = assigned[index];
      const outcome = await processFile(sink, split, file, labelOf.get(file.className)!, options);
      outcomes[index] = outcome;
      let reported: FileEvent['outcome'] = 'skipped';
      if (outcome.kind === 'image') reported = outcome.converted ? 'converted' : 'kept';
      const storedBytes = outcome.kind === 'image' ? outcome.image.sizeBytes : 0;
      options.run?.fileDone(reported, storedBytes);
      options.onFile?.({ split, outcome: reported, reason: outcome.kind === 'skipped' ? outcome.skipped.reason : undefined, sourceBytes: outcome.sourceBytes, storedBytes });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(1, assigned.length)) }, worker));
    await sink.flush();
  } catch (error) {
    stop.abort(error);
    await sink.discard();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return outcomes;
}

/**
 * Imports class folders into a dataset version. Images are stored in packs before the manifest,
 * and the manifest is written last, so an import stopped half way leaves no version and can
 * simply be run again. Identical content (labels, and each image's split, class, SHA-256 and
 * source path) returns the existing version. Packs are deleted again when the import fails before
 * publishing; a failed publish keeps them, as its manifest may have been stored after all.
 */
export async function importDataset(repository: DatasetRepository, request: ImportRequest, options: ImportOptions): Promise<ImportResult> {
  const run = options.run;
  run?.setStage('scanning');
  const { labels, assigned, skipped } = await scanAndAssign(request);
  const labelOf = new Map(labels.map((label, index) => [label, index + 1]));
  run?.setFilesTotal(assigned.length + skipped.length);
  for (const entry of skipped) {
    run?.fileDone('skipped', 0);
    options.onFile?.({ split: entry.split, outcome: 'skipped', reason: entry.reason, sourceBytes: 0, storedBytes: 0 });
  }

  run?.setStage('processing');
  const stored = await repository.storedImages(request.name);
  const unlisted = await repository.deleteUnlistedPacks(request.name, stored, new Date(Date.now() - options.unlistedPackAgeMs));
  if (unlisted.length > 0) options.onUnlistedPacksDeleted?.(unlisted);
  const sink = repository.imageWriter(request.name, stored, options.uploadConcurrency);
  const outcomes = await processAll(sink, request, assigned, labelOf, options);
  const images: Record<Split, DatasetImage[]> = { train: [], validation: [] };
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.kind === 'image') images[assigned[index].split].push(outcome.image);
    else skipped.push(outcome.skipped);
  }
  // Label order, then file name, as build_image_data.py enumerates files.
  const byLabelThenPath = (a: DatasetImage, b: DatasetImage) => a.label - b.label || compareCodePoints(a.sourcePath, b.sourcePath);
  images.train.sort(byLabelThenPath);
  images.validation.sort(byLabelThenPath);
  skipped.sort((a, b) => compareCodePoints(a.split, b.split) || compareCodePoints(a.sourcePath, b.sourcePath));
  if (images.train.length === 0) {
    await sink.discard();
    throw new ImportError('invalid-argument', `${request.source}: no usable training images (${skipped.filter((entry) => entry.split === 'train').length} files skipped)`);
  }

  run?.setStage('publishing');
  const contentSha256 = datasetContentDigest(labels, images);
  return repository.withNameLock(request.name, async () => {
    const existing = await repository.findByContent(request.name, contentSha256);
    if (existing) {
      // Only an import running beside the one that published `existing` stored packs here.
      await sink.discard();
      return { stored: existing, created: false };
    }
    const versions = await repository.versions(request.name);
    const roots = request.roots;
    const manifest: IngestionManifest = {
      formatVersion: 1,
      name: request.name,
      version: (versions.at(-1) ?? 0) + 1,
      createdAt: new Date().toISOString(),
      labels,
      contentSha256,
      sources: roots.kind === 'split-roots' ? { train: roots.train.description, validation: roots.validation.description } : { train: roots.root.description, validation: roots.root.description },
      source: request.source,
      labelsFrom: LABELS_FROM[request.labels.kind],
      images,
      skipped,
    };
    if (roots.kind === 'single-root') {
      manifest.split = { ...roots.split };
    }
    const put = await repository.publish(manifest);
    return { stored: { manifest, sizeBytes: put.sizeBytes, sha256: put.sha256 }, created: true };
  });
}
