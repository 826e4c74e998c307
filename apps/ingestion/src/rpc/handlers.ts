import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { IngestionService } from '@inception/proto';
import { implement, requireField, requireName, ServiceError, type ServiceRegistration } from '@inception/rpc';
import { isS3Uri, layout, StorageError, type ObjectStore } from '@inception/storage';
import { importDataset } from '../domain/import-dataset.js';
import { LabelError } from '../domain/labels.js';
import type { IngestionMetrics } from '../metrics.js';
import { DatasetRepository } from '../storage/dataset-repository.js';
import { datasetVersionMessage } from './convert.js';

export interface IngestionDependencies {
  store: ObjectStore;
  metrics: IngestionMetrics;
  maxImagePixels: number;
  concurrency: number;
}

async function requireLocalFolder(value: string, field: string): Promise<string> {
  requireField(value, field);
  if (isS3Uri(value)) {
    throw new ServiceError(12 /* UNIMPLEMENTED */, `${field} "${value}": s3:// sources are not supported yet; copy the folder to the ingestion server`);
  }
  const info = await stat(value).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw ServiceError.invalidArgument(`${field} "${value}" is not a folder on the ingestion server`);
  }
  return value;
}

function toServiceError(error: unknown): unknown {
  if (error instanceof LabelError) return ServiceError.invalidArgument(error.message);
  if (error instanceof StorageError && error.kind === 'not-found') return ServiceError.notFound(error.message);
  if (error instanceof StorageError && error.kind === 'unavailable') return ServiceError.unavailable(error.message, error);
  return error;
}

export function ingestionHandlers(dependencies: IngestionDependencies): ServiceRegistration {
  const repository = new DatasetRepository(dependencies.store);
  const describe = async (name: string, version: number) => {
    const manifest = await repository.manifest(name, version);
    const bytes = await dependencies.store.getBytes(layout.datasetManifest(name, version));
    return datasetVersionMessage(manifest, { sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  };

  return implement(IngestionService, {
    async importDataset(request, context) {
      const name = requireName(request.name, 'name');
      const trainSource = await requireLocalFolder(request.trainSource, 'train_source');
      const validationSource = await requireLocalFolder(request.validationSource, 'validation_source');
      const stopTimer = dependencies.metrics.importSeconds.startTimer();
      try {
        const result = await importDataset(repository, { name, trainSource, validationSource, labels: request.labels }, {
          maxImagePixels: dependencies.maxImagePixels,
          concurrency: dependencies.concurrency,
          onImage: (event) => {
            dependencies.metrics.images.inc({ split: event.split, outcome: event.outcome });
            if (event.reason) dependencies.metrics.skipped.inc({ reason: event.reason });
            else dependencies.metrics.bytes.inc(event.sizeBytes);
          },
        });
        stopTimer({ result: 'ok' });
        context.logger.info({ dataset: name, version: result.manifest.version, created: result.created, skipped: result.manifest.skipped.length }, 'dataset imported');
        return { dataset: await describe(name, result.manifest.version), created: result.created };
      } catch (error) {
        stopTimer({ result: 'error' });
        throw toServiceError(error);
      }
    },

    async getDataset(request) {
      const ref = requireField(request.dataset, 'dataset');
      const name = requireName(ref.name, 'dataset.name');
      if (ref.version === 0) throw ServiceError.invalidArgument('missing required field dataset.version');
      try {
        return { dataset: await describe(name, ref.version) };
      } catch (error) {
        throw toServiceError(error);
      }
    },

    async listDatasets(request) {
      const names = request.name ? [requireName(request.name, 'name')] : await repository.names();
      const datasets = [];
      for (const name of names) {
        for (const version of await repository.versions(name)) {
          datasets.push(await describe(name, version));
        }
      }
      return { datasets };
    },
  });
}
