import { ShardingService } from '@inception/proto';
import { methodScopes, type ServiceDefinitionOptions } from '@inception/rpc';
import { SHARDING_DEFAULT_GRPC_PORT, SHARDING_DEFAULT_METRICS_PORT, shardingEnv } from './config.js';
import { shardingMetrics } from './metrics.js';
import { shardingHandlers } from './rpc/handlers.js';

/** Scope each sharding RPC needs when AUTH_TOKENS_FILE is set; replicas send WriteShard with SERVICE_TOKEN. */
export const shardingScopes = methodScopes(ShardingService, {
  shardDataset: 'write',
  writeShard: 'write',
  watchSharding: 'read',
  listShardSets: 'read',
});

/** The sharding process: its variables and how its handlers are built. */
export const shardingServiceDefinition: ServiceDefinitionOptions<typeof shardingEnv> = {
  name: 'sharding',
  metricsPrefix: 'inception_sharding',
  defaultGrpcPort: SHARDING_DEFAULT_GRPC_PORT,
  defaultMetricsPort: SHARDING_DEFAULT_METRICS_PORT,
  env: shardingEnv,
  scopes: [shardingScopes],
  async create({ config, store, metrics, peer }) {
    const handlers = shardingHandlers({
      store,
      metrics: shardingMetrics(metrics),
      workersTarget: config.SHARDING_WORKERS,
      workerChannel: peer,
      concurrency: config.SHARDING_CONCURRENCY,
      unitTimeoutMs: config.SHARDING_UNIT_TIMEOUT_MS,
      unitAttempts: config.SHARDING_UNIT_ATTEMPTS,
      retryBackoffMs: config.SHARDING_RETRY_BACKOFF_MS,
      readAheadImages: config.SHARDING_READ_AHEAD_IMAGES,
      packCacheBytes: config.SHARDING_PACK_CACHE_BYTES,
    });
    return { services: [handlers.registration], stop: async () => handlers.close() };
  },
};
