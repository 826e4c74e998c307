import { positiveInt, type EnvTable } from '@inception/config';

/** Ingestion's own variables, beside the common ones (GRPC_PORT, S3_*, …). */
export const ingestionEnv = {
  INGESTION_MAX_IMAGE_PIXELS: { schema: positiveInt(100_000_000), description: 'Largest image accepted, in pixels (width × height); larger ones are skipped as decompression bombs.' },
  INGESTION_CONCURRENCY: { schema: positiveInt(4), description: 'Images decoded and uploaded at once.' },
} satisfies EnvTable;

export const INGESTION_DEFAULT_GRPC_PORT = 50051;
export const INGESTION_DEFAULT_METRICS_PORT = 9461;
