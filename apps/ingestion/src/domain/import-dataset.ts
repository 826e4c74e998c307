import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { normalizeImage } from '@inception/imaging';
import { layout, type DatasetImage, type DatasetManifest, type SkippedImage, type Split } from '@inception/storage';
import pLimit from 'p-limit';
import type { DatasetRepository } from '../storage/dataset-repository.js';
import { datasetContentDigest } from './content-digest.js';
import { resolveLabels } from './labels.js';
import { scanClassFolders, type FoundFile } from './scan-folders.js';

export interface ImportRequest {
  name: string;
  trainSource: string;
  validationSource: string;
  labels: string[];
}

export interface ImportOptions {
  maxImagePixels: number;
  concurrency: number;
  /** Called after each image with what happened to it, for metrics and progress. */
  onImage?: (event: { split: Split; outcome: 'kept' | 'converted' | 'skipped'; reason?: string; sizeBytes: number }) => void;
}

export interface ImportResult {
  manifest: DatasetManifest;
  created: boolean;
}

async function importFile(repository: DatasetRepository, name: string, split: Split, file: FoundFile, label: number, options: ImportOptions): Promise<DatasetImage | SkippedImage> {
  const bytes = await readFile(file.absolutePath);
  const normalized = await normalizeImage(bytes, { maxPixels: options.maxImagePixels });
  if (!normalized.ok) {
    options.onImage?.({ split, outcome: 'skipped', reason: normalized.reason, sizeBytes: bytes.length });
    return { split, sourcePath: file.relativePath, reason: normalized.reason, detail: normalized.detail };
  }

  const sha256 = createHash('sha256').update(normalized.jpegBytes).digest('hex');
  if (!(await repository.hasImage(name, sha256))) {
    await repository.putImage(name, sha256, normalized.jpegBytes);
  }
  const converted = normalized.conversion !== 'none';
  options.onImage?.({ split, outcome: converted ? 'converted' : 'kept', sizeBytes: normalized.jpegBytes.length });
  return {
    className: file.className,
    label,
    sourcePath: file.relativePath,
    key: layout.datasetImage(name, sha256),
    sha256,
    sizeBytes: normalized.jpegBytes.length,
    width: normalized.width,
    height: normalized.height,
    originalFormat: normalized.originalFormat,
    conversion: converted ? (normalized.conversionReason ?? 'to RGB JPEG') : 'none',
  };
}

function isSkipped(entry: DatasetImage | SkippedImage): entry is SkippedImage {
  return 'reason' in entry;
}

/**
 * Imports two split roots of class folders into a new dataset version. Images are stored
 * content-addressed before the manifest, and the manifest is written last, so an import stopped
 * half way leaves no version and can simply be run again. Identical content returns the
 * existing version.
 */
export async function importDataset(repository: DatasetRepository, request: ImportRequest, options: ImportOptions): Promise<ImportResult> {
  const scans = { train: await scanClassFolders(request.trainSource), validation: await scanClassFolders(request.validationSource) };
  const labels = resolveLabels(request.labels, scans.train.classNames, scans.validation.classNames);
  const labelOf = new Map(labels.map((label, index) => [label, index + 1]));

  const limit = pLimit(options.concurrency);
  const images: Record<Split, DatasetImage[]> = { train: [], validation: [] };
  const skipped: SkippedImage[] = [];
  for (const split of ['train', 'validation'] as const) {
    for (const file of scans[split].hidden) {
      skipped.push({ split, sourcePath: file.relativePath, reason: 'hidden-file', detail: 'hidden or system file' });
    }
    const entries = await Promise.all(scans[split].files.map((file) => limit(() => importFile(repository, request.name, split, file, labelOf.get(file.className)!, options))));
    for (const entry of entries) {
      if (isSkipped(entry)) skipped.push(entry);
      else images[split].push(entry);
    }
  }
  if (images.train.length === 0) {
    throw new Error(`no usable training images under ${request.trainSource} (${skipped.filter((entry) => entry.split === 'train').length} skipped)`);
  }

  const contentSha256 = datasetContentDigest(labels, images);
  const existing = await repository.findByContent(request.name, contentSha256);
  if (existing) {
    return { manifest: existing, created: false };
  }

  const versions = await repository.versions(request.name);
  const manifest: DatasetManifest = {
    formatVersion: 1,
    name: request.name,
    version: (versions.at(-1) ?? 0) + 1,
    createdAt: new Date().toISOString(),
    labels,
    contentSha256,
    sources: { train: request.trainSource, validation: request.validationSource },
    images,
    skipped,
  };
  await repository.publish(manifest);
  return { manifest, created: true };
}
