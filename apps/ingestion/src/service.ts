import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ObjectStore } from '@inception/storage';
import { IngestionService } from '@inception/proto';
import { methodScopes, type ServiceDefinitionOptions } from '@inception/rpc';
import { INGESTION_DEFAULT_GRPC_PORT, INGESTION_DEFAULT_METRICS_PORT, ingestionEnv } from './config.js';
import { ingestionMetrics } from './metrics.js';
import { ingestionHandlers } from './rpc/handlers.js';
import { removeStaleWorkDirs } from './sources/work-dir.js';

/** Scope each ingestion RPC needs when AUTH_TOKENS_FILE is set. */
export const ingestionScopes = methodScopes(IngestionService, {
  importDataset: 'write',
  uploadDataset: 'write',
  watchImport: 'read',
  getDataset: 'read',
  listDatasets: 'read',
});

/** The ingestion process: its variables and how its handlers are built. */
export const ingestionServiceDefinition: ServiceDefinitionOptions<typeof ingestionEnv> = {
  name: 'ingestion',
  metricsPrefix: 'inception_ingestion',
  defaultGrpcPort: INGESTION_DEFAULT_GRPC_PORT,
  defaultMetricsPort: INGESTION_DEFAULT_METRICS_PORT,
  env: ingestionEnv,
  scopes: [ingestionScopes],
  async create({ config, store, metrics, logger }) {
    const workDir = path.resolve(config.INGESTION_WORK_DIR ?? tmpdir());
    await mkdir(workDir, { recursive: true });
    const removed = await removeStaleWorkDirs(workDir);
    if (removed.length > 0) {
      logger.info({ workDir, removed }, 'deleted temporary folders of imports whose process is gone');
    }

    // s3:// sources may name another bucket; it is read with the service's own endpoint and credentials.
    const openBucket = (bucket: string) =>
      bucket === store.bucket
        ? store
        : new ObjectStore({ endpoint: config.S3_ENDPOINT, accessKey: config.S3_ACCESS_KEY, secretKey: config.S3_SECRET_KEY, region: config.S3_REGION, bucket });
    return {
      services: [
        ingestionHandlers({
          store,
          metrics: ingestionMetrics(metrics),
          maxImagePixels: config.INGESTION_MAX_IMAGE_PIXELS,
          maxFileBytes: config.INGESTION_MAX_FILE_BYTES,
          concurrency: config.INGESTION_CONCURRENCY,
          uploadConcurrency: config.INGESTION_UPLOAD_CONCURRENCY,
          unlistedPackAgeHours: config.INGESTION_UNLISTED_PACK_AGE_HOURS,
          maxArchiveEntries: config.INGESTION_MAX_ARCHIVE_ENTRIES,
          maxUnpackedBytes: config.INGESTION_MAX_UNPACKED_BYTES,
          maxUploadBytes: config.INGESTION_MAX_UPLOAD_BYTES,
          workDir,
          openBucket,
        }),
      ],
    };
  },
};
