import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Ingestion's metrics: what happened to each file, bytes read and stored, and import duration. */
export function ingestionMetrics(registry: Registry) {
  return {
    images: new Counter({
      name: 'inception_ingestion_images_total',
      help: 'Files processed by imports, by split and outcome: kept (stored byte for byte), converted (re-encoded as RGB JPEG) or skipped.',
      labelNames: ['split', 'outcome'],
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'inception_ingestion_images_skipped_total',
      help: 'Files skipped by imports, by reason (corrupt, truncated, not-an-image, hidden-file, …).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'inception_ingestion_image_bytes_total',
      help: 'Bytes of normalised images produced by imports.',
      registers: [registry],
    }),
    sourceBytes: new Counter({
      name: 'inception_ingestion_source_bytes_total',
      help: 'Bytes of source files read by imports, skipped files included.',
      registers: [registry],
    }),
    uploadBytes: new Counter({
      name: 'inception_ingestion_upload_bytes_total',
      help: 'Archive bytes received by UploadDataset calls.',
      registers: [registry],
    }),
    importsInProgress: new Gauge({
      name: 'inception_ingestion_imports_in_progress',
      help: 'Imports running now, uploads included.',
      registers: [registry],
    }),
    versions: new Counter({
      name: 'inception_ingestion_versions_total',
      help: 'Successful imports, by result: created (a new version) or existing (identical content found).',
      labelNames: ['result'],
      registers: [registry],
    }),
    importSeconds: new Histogram({
      name: 'inception_ingestion_import_duration_seconds',
      help: 'Duration of ImportDataset and UploadDataset calls, by source kind (folder, archive, s3, upload) and result (ok, error).',
      labelNames: ['source', 'result'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200],
      registers: [registry],
    }),
  };
}

export type IngestionMetrics = ReturnType<typeof ingestionMetrics>;
