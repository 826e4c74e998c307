import { z } from 'zod';
import { logLevel, port, text, type EnvTable } from './env.js';

/** Variables every service reads: where it listens, logs and keeps its objects. */
export function commonEnv(service: string, grpcPort: number, metricsPort: number) {
  return {
    GRPC_HOST: { schema: text('127.0.0.1'), description: `Address the ${service} gRPC server listens on; 0.0.0.0 in containers.` },
    GRPC_PORT: { schema: port(grpcPort), description: `Port of the ${service} gRPC server; 0 picks a free one.` },
    METRICS_HOST: { schema: text('127.0.0.1'), description: 'Address of the Prometheus /metrics listener.' },
    METRICS_PORT: { schema: port(metricsPort), description: 'Port of the Prometheus /metrics listener; 0 picks a free one.' },
    LOG_LEVEL: { schema: logLevel(), description: 'pino log level: fatal, error, warn, info, debug, trace or silent.' },
    S3_ENDPOINT: { schema: z.url(), description: 'S3 endpoint URL, e.g. http://127.0.0.1:9000 (required).' },
    S3_ACCESS_KEY: { schema: text('S3RVER'), description: 'S3 access key id.' },
    S3_SECRET_KEY: { schema: text('S3RVER'), description: 'S3 secret key (never logged).' },
    S3_BUCKET: { schema: text('inception'), description: 'Bucket that holds datasets, shards, runs and models.' },
    S3_REGION: { schema: text('us-east-1'), description: 'Region used to sign S3 requests.' },
    SHUTDOWN_GRACE_MS: { schema: z.coerce.number().int().min(0).default(10_000), description: 'Milliseconds running calls get to finish after SIGTERM.' },
  } satisfies EnvTable;
}
