import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ImportStage, type DatasetVersionSchema, type ImportProgressSchema, type SkippedFileSchema, type SplitPolicy as SplitPolicyMessage, type SplitPolicySchema } from '@inception/proto';
import { layout } from '@inception/storage';
import { ImportError } from '../domain/errors.js';
import type { ImportProgressSnapshot, ImportStageName } from '../domain/import-progress.js';
import { classCounts, skippedByReason, type IngestionManifest } from '../domain/manifest.js';
import { DEFAULT_SPLIT_SEED, validateSplitPolicy, type SplitPolicy } from '../domain/split-policy.js';
import type { StoredManifest } from '../storage/dataset-repository.js';

/** Reads a SplitPolicy message; throws INVALID_ARGUMENT naming the field when it is incomplete or out of range. */
export function splitPolicyFrom(message: SplitPolicyMessage, field: string): SplitPolicy {
  const seed = message.seed === undefined ? DEFAULT_SPLIT_SEED : Number(message.seed);
  const validation = message.validation;
  let policy: SplitPolicy;
  if (validation.case === 'validationImagesPerClass') {
    policy = { validationImagesPerClass: validation.value, seed };
  } else if (validation.case === 'validationFraction') {
    policy = { validationFraction: validation.value, seed };
  } else {
    throw new ImportError('invalid-argument', `${field} needs validation_images_per_class or validation_fraction`);
  }
  validateSplitPolicy(policy);
  return policy;
}

function splitPolicyMessage(split: NonNullable<IngestionManifest['split']>): MessageInitShape<typeof SplitPolicySchema> {
  const validation =
    split.validationFraction !== undefined
      ? { case: 'validationFraction' as const, value: split.validationFraction }
      : { case: 'validationImagesPerClass' as const, value: split.validationImagesPerClass ?? 0 };
  return { validation, seed: BigInt(split.seed) };
}

/** Describes a stored dataset manifest as the DatasetVersion message. */
export function datasetVersionMessage(stored: StoredManifest): MessageInitShape<typeof DatasetVersionSchema> {
  const manifest = stored.manifest;
  const all = [...manifest.images.train, ...manifest.images.validation];
  return {
    ref: { name: manifest.name, version: manifest.version },
    manifest: { key: layout.datasetManifest(manifest.name, manifest.version), sizeBytes: BigInt(stored.sizeBytes), sha256: stored.sha256 },
    labels: manifest.labels,
    trainImages: manifest.images.train.length,
    validationImages: manifest.images.validation.length,
    skippedImages: manifest.skipped.length,
    convertedImages: all.filter((image) => image.conversion !== 'none').length,
    contentSha256: manifest.contentSha256,
    createdAt: timestampFromDate(new Date(manifest.createdAt)),
    classes: classCounts(manifest),
    skippedByReason: skippedByReason(manifest),
    source: manifest.source ?? (manifest.sources.train === manifest.sources.validation ? manifest.sources.train : `${manifest.sources.train} + ${manifest.sources.validation}`),
    split: manifest.split ? splitPolicyMessage(manifest.split) : undefined,
  };
}

export function skippedFileMessages(manifest: IngestionManifest): Array<MessageInitShape<typeof SkippedFileSchema>> {
  return manifest.skipped.map((entry) => ({ split: entry.split, sourcePath: entry.sourcePath, reason: entry.reason, detail: entry.detail }));
}

const STAGES: Record<ImportStageName, ImportStage> = {
  receiving: ImportStage.RECEIVING,
  unpacking: ImportStage.UNPACKING,
  scanning: ImportStage.SCANNING,
  processing: ImportStage.PROCESSING,
  publishing: ImportStage.PUBLISHING,
  succeeded: ImportStage.SUCCEEDED,
  failed: ImportStage.FAILED,
};

export function importProgressMessage(snapshot: ImportProgressSnapshot): MessageInitShape<typeof ImportProgressSchema> {
  return {
    importId: snapshot.importId,
    name: snapshot.name,
    stage: STAGES[snapshot.stage],
    filesTotal: snapshot.filesTotal,
    filesDone: snapshot.filesDone,
    imagesKept: snapshot.imagesKept,
    imagesConverted: snapshot.imagesConverted,
    filesSkipped: snapshot.filesSkipped,
    receivedBytes: BigInt(snapshot.receivedBytes),
    storedBytes: BigInt(snapshot.storedBytes),
    elapsedSeconds: snapshot.elapsedSeconds,
    error: snapshot.error ?? '',
    dataset: snapshot.dataset,
  };
}
