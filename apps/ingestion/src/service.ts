import { IngestionService } from '@inception/proto';
import { methodScopes, type ServiceDefinitionOptions } from '@inception/rpc';
import { INGESTION_DEFAULT_GRPC_PORT, INGESTION_DEFAULT_METRICS_PORT, ingestionEnv } from './config.js';
import { ingestionMetrics } from './metrics.js';
import { ingestionHandlers } from './rpc/handlers.js';

/** Scope each ingestion RPC needs when AUTH_TOKENS_FILE is set. */
export const ingestionScopes = methodScopes(IngestionService, {
  importDataset: 'write',
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
  async create({ config, store, metrics }) {
    return {
      services: [
        ingestionHandlers({ store, metrics: ingestionMetrics(metrics), maxImagePixels: config.INGESTION_MAX_IMAGE_PIXELS, concurrency: config.INGESTION_CONCURRENCY }),
      ],
    };
  },
};

