import type { DatasetManifest } from '@inception/storage';

/**
 * The dataset manifest as ingestion writes it: the shared DatasetManifest fields that sharding
 * reads, plus where the images came from and how they were split and labelled. Manifests
 * written before these fields existed lack them, so readers treat them as optional.
 */
export interface IngestionManifest extends DatasetManifest {
  /** The source as the request named it, e.g. "/data/flower_photos.tgz" or "upload flower_photos.tgz (sha256 …)". */
  source?: string;
  /** Split policy of a single root; absent when separate train and validation roots were given. */
  split?: { validationImagesPerClass?: number; validationFraction?: number; seed: number };
  /** Origin of the label order. */
  labelsFrom?: 'request' | 'labels-file' | 'folder-names';
}

export interface ClassCounts {
  className: string;
  label: number;
  trainImages: number;
  validationImages: number;
  convertedImages: number;
  skippedFiles: number;
  skippedByReason: Record<string, number>;
}

/**
 * Counts, per class in label order, the images of each split, the converted images and the
 * skipped files by reason. A skipped file belongs to the class folder its source path starts with.
 */
export function classCounts(manifest: DatasetManifest): ClassCounts[] {
  const counts = new Map<string, ClassCounts>();
  manifest.labels.forEach((className, index) => {
    counts.set(className, { className, label: index + 1, trainImages: 0, validationImages: 0, convertedImages: 0, skippedFiles: 0, skippedByReason: {} });
  });

  for (const split of ['train', 'validation'] as const) {
    for (const image of manifest.images[split]) {
      const entry = counts.get(image.className);
      if (!entry) continue;
      if (split === 'train') entry.trainImages += 1;
      else entry.validationImages += 1;
      if (image.conversion !== 'none') entry.convertedImages += 1;
    }
  }
  for (const skipped of manifest.skipped) {
    const entry = counts.get(skipped.sourcePath.split('/')[0]);
    if (!entry) continue;
    entry.skippedFiles += 1;
    entry.skippedByReason[skipped.reason] = (entry.skippedByReason[skipped.reason] ?? 0) + 1;
  }
  return [...counts.values()];
}

/** Counts the skipped files of the whole version by reason. */
export function skippedByReason(manifest: DatasetManifest): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const skipped of manifest.skipped) {
    counts[skipped.reason] = (counts[skipped.reason] ?? 0) + 1;
  }
  return counts;
}
