import { Counter, Histogram, type Registry } from 'prom-client';

/** Ingestion's metrics: what happened to each image, bytes stored and import duration. */
export function ingestionMetrics(registry: Registry) {
  return {
    images: new Counter({
      name: 'inception_ingestion_images_total',
      help: 'Images processed by imports, by split and outcome (kept, converted, skipped).',
      labelNames: ['split', 'outcome'],
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'inception_ingestion_images_skipped_total',
      help: 'Images skipped by imports, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'inception_ingestion_image_bytes_total',
      help: 'Bytes of normalised images produced by imports.',
      registers: [registry],
    }),
    importSeconds: new Histogram({
      name: 'inception_ingestion_import_duration_seconds',
      help: 'Duration of ImportDataset calls, by result.',
      labelNames: ['result'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200],
      registers: [registry],
    }),
  };
}

export type IngestionMetrics = ReturnType<typeof ingestionMetrics>;
