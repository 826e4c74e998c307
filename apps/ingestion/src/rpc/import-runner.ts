import type { CallContext } from '@inception/rpc';
import type { ObjectStore } from '@inception/storage';
import { ImportError } from '../domain/errors.js';
import { importDataset, type ImportRoots, type ImportResult } from '../domain/import-dataset.js';
import type { ImportRun, ImportTracker } from '../domain/import-progress.js';
import type { LabelSource } from '../domain/labels.js';
import type { IngestionMetrics } from '../metrics.js';
import type { SourceContext } from '../sources/open-source.js';
import type { DatasetRepository } from '../storage/dataset-repository.js';
import { toServiceError } from './errors.js';

/** Everything an import needs from the service, resolved from its configuration. */
export interface ImportEnvironment {
  store: ObjectStore;
  repository: DatasetRepository;
  metrics: IngestionMetrics;
  tracker: ImportTracker;
  maxImagePixels: number;
  maxFileBytes: number;
  concurrency: number;
  uploadConcurrency: number;
  unlistedPackAgeMs: number;
  maxUploadBytes: number;
  sources: Omit<SourceContext, 'signal' | 'onUnpack'>;
}

/** Roots opened for one import, with what must be deleted afterwards. */
export interface OpenedRoots {
  roots: ImportRoots;
  /** The source as the request named it, for the manifest and logs. */
  source: string;
  close(): Promise<void>;
}

export interface ImportSpec {
  name: string;
  labels: LabelSource;
  /** Metric label: folder, archive, s3 or upload. */
  sourceKind: string;
  open(context: SourceContext): Promise<OpenedRoots>;
}

const IMPORT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Throws INVALID_ARGUMENT naming the value unless the import_id is empty or well formed. */
export function validateImportId(importId: string, field: string): string {
  if (importId !== '' && !IMPORT_ID_PATTERN.test(importId)) {
    throw new ImportError('invalid-argument', `${field} "${importId}" is invalid: use 1–64 letters, digits, '-' or '_'`);
  }
  return importId;
}

/** Builds the label source of a request; throws INVALID_ARGUMENT when both forms are given. */
export function labelSourceFrom(labels: string[], labelsFile: string, field: string): LabelSource {
  if (labels.length > 0 && labelsFile !== '') {
    throw new ImportError('invalid-argument', `set ${field}.labels or ${field}.settings.labels_file, not both`);
  }
  if (labels.length > 0) return { kind: 'list', labels };
  if (labelsFile !== '') return { kind: 'file', text: labelsFile };
  return { kind: 'folders' };
}

/**
 * Opens the sources of an import, runs it, and reports progress, metrics and one log line. The
 * import stops when the call is cancelled; temporary files are deleted in every case.
 */
export async function runImport(environment: ImportEnvironment, spec: ImportSpec, call: CallContext, run: ImportRun | undefined): Promise<ImportResult> {
  const { metrics } = environment;
  const stopTimer = metrics.importSeconds.startTimer({ source: spec.sourceKind });
  metrics.importsInProgress.inc();
  let opened: OpenedRoots | undefined;
  try {
    opened = await spec.open({ ...environment.sources, signal: call.signal, onUnpack: () => run?.setStage('unpacking') });
    const result = await importDataset(
      environment.repository,
      { name: spec.name, roots: opened.roots, labels: spec.labels, source: opened.source },
      {
        maxImagePixels: environment.maxImagePixels,
        maxFileBytes: environment.maxFileBytes,
        concurrency: environment.concurrency,
        uploadConcurrency: environment.uploadConcurrency,
        unlistedPackAgeMs: environment.unlistedPackAgeMs,
        onUnlistedPacksDeleted: (keys) => call.logger.info({ dataset: spec.name, packs: keys.length, keys }, 'deleted image packs that no version lists, left by an import that was killed'),
        signal: call.signal,
        run,
        onFile: (event) => {
          metrics.images.inc({ split: event.split, outcome: event.outcome });
          if (event.reason) metrics.skipped.inc({ reason: event.reason });
          metrics.bytes.inc(event.storedBytes);
          metrics.sourceBytes.inc(event.sourceBytes);
        },
      },
    );

    const manifest = result.stored.manifest;
    stopTimer({ result: 'ok' });
    metrics.versions.inc({ result: result.created ? 'created' : 'existing' });
    run?.succeed({ name: manifest.name, version: manifest.version });
    call.logger.info(
      { dataset: manifest.name, version: manifest.version, created: result.created, source: opened.source, train: manifest.images.train.length, validation: manifest.images.validation.length, skipped: manifest.skipped.length },
      'dataset imported',
    );
    return result;
  } catch (error) {
    stopTimer({ result: 'error' });
    const mapped = toServiceError(error, call.signal);
    run?.fail(mapped);
    throw mapped;
  } finally {
    metrics.importsInProgress.dec();
    await opened?.close().catch((error: unknown) => call.logger.warn({ err: error }, 'could not delete the temporary files of an import'));
  }
}
