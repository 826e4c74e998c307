import { commonEnv, parseEnv, type ConfigOf, type EnvTable } from '@inception/config';
import { ObjectStore } from '@inception/storage';
import { createLogger, createMetricsRegistry, grpcServerMetrics, startMetricsServer, type Logger } from '@inception/telemetry';
import type { Registry } from 'prom-client';
import type { ServiceRegistration } from './handlers.js';
import { shutdownOnSignals, startRpcServer } from './server.js';

type CommonTable = ReturnType<typeof commonEnv>;

export interface ServiceParts<T extends EnvTable> {
  config: ConfigOf<CommonTable & T>;
  logger: Logger;
  store: ObjectStore;
  metrics: Registry;
}

export interface ServiceDefinitionOptions<T extends EnvTable> {
  /** Short service name: logs, metric prefix and the README heading use it. */
  name: string;
  /** Prefix of the service's own metrics, e.g. "inception_trainer". */
  metricsPrefix: string;
  defaultGrpcPort: number;
  defaultMetricsPort: number;
  /** The service's own environment variables, beside the common ones. */
  env: T;
  /** Builds the handlers; `stop` runs after the gRPC server has shut down. */
  create(parts: ServiceParts<T>): Promise<{ services: ServiceRegistration[]; stop?: () => Promise<void> }>;
}

/** The whole environment table of a service, for its README. */
export function serviceEnvTable<T extends EnvTable>(options: Pick<ServiceDefinitionOptions<T>, 'name' | 'defaultGrpcPort' | 'defaultMetricsPort' | 'env'>): CommonTable & T {
  return { ...commonEnv(options.name, options.defaultGrpcPort, options.defaultMetricsPort), ...options.env };
}

/**
 * Runs a service process: parses its environment, starts the gRPC server (health, reflection,
 * limits) and the /metrics listener, logs one `ready` line with both ports, and shuts down
 * gracefully on SIGTERM or SIGINT.
 */
export async function runService<T extends EnvTable>(options: ServiceDefinitionOptions<T>, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = parseEnv(serviceEnvTable(options), env) as ConfigOf<CommonTable & T>;
  const logger = createLogger(options.name, config.LOG_LEVEL);
  const store = new ObjectStore({
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
  });
  await store.ensureBucket();
  const metrics = createMetricsRegistry(options.metricsPrefix);

  const { services, stop } = await options.create({ config, logger, store, metrics });
  const server = await startRpcServer({
    name: options.name,
    services,
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    logger,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    onCallEnd: grpcServerMetrics(metrics),
  });
  const metricsServer = await startMetricsServer(metrics, config.METRICS_HOST, config.METRICS_PORT);
  logger.info({ grpcPort: server.port, metricsPort: metricsServer.port, bucket: config.S3_BUCKET, s3Endpoint: config.S3_ENDPOINT }, 'ready');

  shutdownOnSignals(server, logger, async () => {
    await stop?.();
    await metricsServer.stop();
    logger.info({}, 'stopped');
    process.exit(0);
  });
}
