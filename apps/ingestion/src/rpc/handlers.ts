import { tmpdir } from 'node:os';
import { parseEnv } from '@inception/config';
import { IngestionService } from '@inception/proto';
import { implement, requireField, requireName, ServiceError, type ServiceRegistration } from '@inception/rpc';
import { StorageError, type ObjectStore } from '@inception/storage';
import { ingestionEnv } from '../config.js';
import { ImportError } from '../domain/errors.js';
import { ImportTracker } from '../domain/import-progress.js';
import type { IngestionMetrics } from '../metrics.js';
import { DatasetRepository } from '../storage/dataset-repository.js';
import { datasetVersionMessage, importProgressMessage, skippedFileMessages } from './convert.js';
import { toServiceError } from './errors.js';
import { importSpecFrom } from './import-request.js';
import { runImport, type ImportEnvironment } from './import-runner.js';
import { uploadDataset } from './upload.js';

export interface IngestionDependencies {
  store: ObjectStore;
  metrics: IngestionMetrics;
  maxImagePixels: number;
  concurrency: number;
  /** Image packs uploading at once per import (default INGESTION_UPLOAD_CONCURRENCY, 2). */
  uploadConcurrency?: number;
  /** Age after which a pack no version lists is deleted as left by a killed import (default 24 h). */
  unlistedPackAgeHours?: number;
  /** Largest source file read, in bytes (default INGESTION_MAX_FILE_BYTES's default, 256 MiB). */
  maxFileBytes?: number;
  /** Maximum number of entries per archive (default 2,000,000). */
  maxArchiveEntries?: number;
  /** Maximum bytes an archive may unpack to (default 200 GiB). */
  maxUnpackedBytes?: number;
  /** Largest uploaded or downloaded archive, in bytes (default 100 GiB). */
  maxUploadBytes?: number;
  /** Folder for spooled uploads and unpacked archives (default the system temporary folder). */
  workDir?: string;
  /**
   * An ObjectStore on another bucket of the same S3 endpoint, for s3:// sources. Without it only
   * the service's own bucket can be read.
   */
  openBucket?: (bucket: string) => ObjectStore;
}

function environmentOf(dependencies: IngestionDependencies): ImportEnvironment {
  const defaults = parseEnv(ingestionEnv, {});
  const store = dependencies.store;
  const openBucket =
    dependencies.openBucket ??
    ((bucket: string) => {
      if (bucket !== store.bucket) {
        throw new ImportError('invalid-argument', `bucket "${bucket}" cannot be read: this service reads only its own bucket "${store.bucket}"`);
      }
      return store;
    });
  return {
    store,
    repository: new DatasetRepository(store),
    metrics: dependencies.metrics,
    tracker: new ImportTracker(),
    maxImagePixels: dependencies.maxImagePixels,
    maxFileBytes: dependencies.maxFileBytes ?? defaults.INGESTION_MAX_FILE_BYTES,
    concurrency: dependencies.concurrency,
    uploadConcurrency: dependencies.uploadConcurrency ?? defaults.INGESTION_UPLOAD_CONCURRENCY,
    unlistedPackAgeMs: (dependencies.unlistedPackAgeHours ?? defaults.INGESTION_UNLISTED_PACK_AGE_HOURS) * 3_600_000,
    maxUploadBytes: dependencies.maxUploadBytes ?? defaults.INGESTION_MAX_UPLOAD_BYTES,
    sources: {
      workDir: dependencies.workDir ?? tmpdir(),
      limits: {
        maxEntries: dependencies.maxArchiveEntries ?? defaults.INGESTION_MAX_ARCHIVE_ENTRIES,
        maxUnpackedBytes: dependencies.maxUnpackedBytes ?? defaults.INGESTION_MAX_UNPACKED_BYTES,
        maxArchiveBytes: dependencies.maxUploadBytes ?? defaults.INGESTION_MAX_UPLOAD_BYTES,
      },
      openBucket,
    },
  };
}

export function ingestionHandlers(dependencies: IngestionDependencies): ServiceRegistration {
  const environment = environmentOf(dependencies);
  const { repository, tracker } = environment;
  const describe = async (name: string, version: number) => datasetVersionMessage(await repository.manifest(name, version));

  return implement(IngestionService, {
    async importDataset(request, context) {
      let prepared;
      let run;
      try {
        prepared = importSpecFrom(request);
        run = prepared.importId ? tracker.begin(prepared.importId, prepared.spec.name) : undefined;
      } catch (error) {
        throw toServiceError(error);
      }
      const result = await runImport(environment, prepared.spec, context, run);
      return { dataset: datasetVersionMessage(result.stored), created: result.created };
    },

    async uploadDataset(requests, context) {
      const result = await uploadDataset(environment, requests, context);
      return { dataset: datasetVersionMessage(result.stored), created: result.created, receivedBytes: BigInt(result.receivedBytes) };
    },

    async watchImport(request, send, context) {
      const importId = requireField(request.importId, 'import_id');
      try {
        for await (const snapshot of tracker.watch(importId, request.waitForStart, context.signal)) {
          await send({ progress: importProgressMessage(snapshot) });
        }
      } catch (error) {
        throw toServiceError(error, context.signal);
      }
    },

    async getDataset(request) {
      const ref = requireField(request.dataset, 'dataset');
      const name = requireName(ref.name, 'dataset.name');
      if (ref.version === 0) throw ServiceError.invalidArgument('missing required field dataset.version');
      try {
        const stored = await repository.manifest(name, ref.version);
        return { dataset: datasetVersionMessage(stored), skipped: request.includeSkipped ? skippedFileMessages(stored.manifest) : [] };
      } catch (error) {
        if (error instanceof StorageError && error.kind === 'not-found') throw ServiceError.notFound(`dataset "${name}" has no version ${ref.version}; list them with inception dataset list ${name}`);
        throw toServiceError(error);
      }
    },

    async listDatasets(request) {
      const names = request.name ? [requireName(request.name, 'name')] : await repository.names();
      const datasets = [];
      try {
        for (const name of names) {
          for (const version of await repository.versions(name)) {
            datasets.push(await describe(name, version));
          }
        }
      } catch (error) {
        throw toServiceError(error);
      }
      return { datasets };
    },
  });
}
