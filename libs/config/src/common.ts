import { z } from 'zod';
import { logLevel, optionalText, port, positiveInt, text, type EnvTable } from './env.js';

/** Variables every service reads: where it listens, logs and keeps its objects, and who may call it. */
export function commonEnv(service: string, grpcPort: number, metricsPort: number) {
  return {
    GRPC_HOST: { schema: text('127.0.0.1'), description: `Address the ${service} gRPC server listens on; 0.0.0.0 in containers.` },
    GRPC_PORT: { schema: port(grpcPort), description: `Port of the ${service} gRPC server; 0 picks a free one.` },
    GRPC_MAX_CONCURRENT_STREAMS: { schema: positiveInt(100), description: 'Calls one client connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS); further calls wait.' },
    METRICS_HOST: { schema: text('127.0.0.1'), description: 'Address of the Prometheus /metrics listener.' },
    METRICS_PORT: { schema: port(metricsPort), description: 'Port of the Prometheus /metrics listener; 0 picks a free one.' },
    LOG_LEVEL: { schema: logLevel(), description: 'pino log level: fatal, error, warn, info, debug, trace or silent.' },
    AUTH_TOKENS_FILE: {
      schema: optionalText(),
      description: 'File of accepted bearer tokens, one `<scope> <token>` line each, scope read, write or admin; unset runs the service without authentication and logs a warning.',
    },
    SERVICE_TOKEN: { schema: optionalText(), description: 'Bearer token this service sends to the other services it calls (never logged).' },
    TLS_CERT_FILE: { schema: optionalText(), description: 'PEM certificate chain of the gRPC server, also sent as client certificate on calls to other services; set with TLS_KEY_FILE to serve TLS.' },
    TLS_KEY_FILE: { schema: optionalText(), description: 'PEM private key of TLS_CERT_FILE.' },
    TLS_CA_FILE: { schema: optionalText(), description: 'PEM CA bundle: clients must present a certificate it signed (mutual TLS), and calls to other services trust it.' },
    S3_ENDPOINT: { schema: z.url(), description: 'S3 endpoint URL, e.g. http://127.0.0.1:9000 (required).' },
    S3_ACCESS_KEY: { schema: text('S3RVER'), description: 'S3 access key id.' },
    S3_SECRET_KEY: { schema: text('S3RVER'), description: 'S3 secret key (never logged).' },
    S3_BUCKET: { schema: text('inception'), description: 'Bucket that holds datasets, shards, runs and models.' },
    S3_REGION: { schema: text('us-east-1'), description: 'Region used to sign S3 requests.' },
    S3_MAX_ATTEMPTS: { schema: positiveInt(5), description: 'Attempts per idempotent S3 request (get, stat, list, delete, put of a whole buffer) on connection errors and 5xx responses, with jittered backoff.' },
    SHUTDOWN_GRACE_MS: { schema: z.coerce.number().int().min(0).default(10_000), description: 'Milliseconds running calls get to finish after SIGTERM.' },
  } satisfies EnvTable;
}
