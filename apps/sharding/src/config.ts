import { nonNegativeInt, optionalText, positiveInt, type EnvTable } from '@inception/config';

/** Sharding's own variables, beside the common ones (GRPC_PORT, S3_*, …). */
export const shardingEnv = {
  SHARDING_WORKERS: {
    schema: optionalText(),
    description: 'gRPC target of the sharding replicas that WriteShard units are spread over with round_robin, e.g. dns:///sharding:50052 or ipv4:127.0.0.1:5001,127.0.0.1:5002; unset runs units in this process.',
  },
  SHARDING_CONCURRENCY: { schema: positiveInt(2), description: 'WriteShard units in flight per ShardDataset call.' },
  SHARDING_UNIT_TIMEOUT_MS: { schema: positiveInt(600_000), description: 'Deadline of one WriteShard unit, in milliseconds; a unit past it is retried.' },
  SHARDING_UNIT_ATTEMPTS: { schema: positiveInt(3), description: 'Attempts per WriteShard unit before the shard set fails.' },
  SHARDING_RETRY_BACKOFF_MS: {
    schema: positiveInt(500),
    description: 'Wait before the first retry of a WriteShard unit, in milliseconds; it doubles for each later attempt, up to 30 s.',
  },
  SHARDING_READ_AHEAD_IMAGES: {
    schema: positiveInt(16),
    description: 'Images a WriteShard unit downloads ahead of the record it writes; more requests in flight hide object-store latency and cost memory of that many images.',
  },
  SHARDING_PACK_CACHE_BYTES: {
    schema: nonNegativeInt(256 * 1024 * 1024),
    description: 'Memory for whole image packs, in bytes: a dataset whose packs fit is read with one request per pack instead of one per image; 0 reads every image with its own request.',
  },
} satisfies EnvTable;

export const SHARDING_DEFAULT_GRPC_PORT = 50052;
export const SHARDING_DEFAULT_METRICS_PORT = 9462;
