import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type * as grpc from '@grpc/grpc-js';
import { commonEnv, parseEnv, type ConfigOf, type EnvTable } from '@inception/config';
import { ObjectStore } from '@inception/storage';
import { createLogger, createMetricsRegistry, grpcServerMetrics, startMetricsServer, type Logger } from '@inception/telemetry';
import type { Registry } from 'prom-client';
import type { ServiceScopes } from './auth.js';
import { createRpcClient, type RpcClient, type RpcClientOptions } from './client.js';
import type { ServiceRegistration } from './handlers.js';
import { loadServiceSecurity } from './security.js';
import { shutdownOnSignals, startRpcServer, type RpcServer } from './server.js';

type CommonTable = ReturnType<typeof commonEnv>;

/** Creates a client of another service with this service's TLS settings and SERVICE_TOKEN. */
export type ClientFactory = <S extends GenServiceMethods>(service: GenService<S>, target: string, options?: RpcClientOptions) => RpcClient<S>;

export interface ServiceParts<T extends EnvTable> {
  config: ConfigOf<CommonTable & T>;
  logger: Logger;
  store: ObjectStore;
  metrics: Registry;
  /** Creates clients of other services that authenticate as this service. */
  connect: ClientFactory;
  /** The credentials and token `connect` uses, for code that builds its own grpc-js channels. */
  peer: { credentials: grpc.ChannelCredentials; token?: string };
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
  /** The scope each RPC needs when AUTH_TOKENS_FILE is set; every method must have one. */
  scopes: ServiceScopes[];
  /** Builds the handlers; `stop` runs after the gRPC server has shut down. */
  create(parts: ServiceParts<T>): Promise<{ services: ServiceRegistration[]; stop?: () => Promise<void> }>;
}

/** The whole environment table of a service, for its README. */
export function serviceEnvTable<T extends EnvTable>(options: Pick<ServiceDefinitionOptions<T>, 'name' | 'defaultGrpcPort' | 'defaultMetricsPort' | 'env'>): CommonTable & T {
  return { ...commonEnv(options.name, options.defaultGrpcPort, options.defaultMetricsPort), ...options.env };
}

/** A service started in this process by `startService`. */
export interface StartedService {
  server: RpcServer;
  metricsPort: number;
  logger: Logger;
  /** Shuts the gRPC server down gracefully, then runs the service's own `stop` and closes /metrics. */
  stop(): Promise<void>;
}

/**
 * Starts a service in this process: parses its environment, loads its tokens and TLS files,
 * starts the gRPC server (health, reflection, authentication, limits) and the /metrics listener,
 * and logs one `ready` line with both ports. `logger` replaces the one built from LOG_LEVEL.
 */
export async function startService<T extends EnvTable>(options: ServiceDefinitionOptions<T>, env: NodeJS.ProcessEnv, logger?: Logger): Promise<StartedService> {
  const config = parseEnv(serviceEnvTable(options), env) as ConfigOf<CommonTable & T>;
  const log = logger ?? createLogger(options.name, config.LOG_LEVEL);
  const security = await loadServiceSecurity({
    tokensFile: config.AUTH_TOKENS_FILE,
    tls: { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE, caFile: config.TLS_CA_FILE },
  });
  if (security.tokens.size === 0) {
    log.warn({}, 'authentication is off because AUTH_TOKENS_FILE is not set: every caller may call every RPC');
  }

  const store = new ObjectStore({
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    maxAttempts: config.S3_MAX_ATTEMPTS,
    onRetry: (event) => log.warn({ operation: event.operation, key: event.key, attempt: event.attempt, delayMs: event.delayMs, err: event.error }, 'object store request failed; retrying'),
  });
  await store.ensureBucket();
  const metrics = createMetricsRegistry(options.metricsPrefix);
  const connect: ClientFactory = (service, target, clientOptions = {}) =>
    createRpcClient(service, target, { ...clientOptions, token: config.SERVICE_TOKEN }, security.channelCredentials);

  const { services, stop } = await options.create({
    config,
    logger: log,
    store,
    metrics,
    connect,
    peer: { credentials: security.channelCredentials, token: config.SERVICE_TOKEN },
  });
  const server = await startRpcServer({
    name: options.name,
    services,
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    logger: log,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    maxConcurrentStreams: config.GRPC_MAX_CONCURRENT_STREAMS,
    auth: { tokens: security.tokens, scopes: options.scopes },
    credentials: security.serverCredentials,
    onCallEnd: grpcServerMetrics(metrics),
  });
  const metricsServer = await startMetricsServer(metrics, config.METRICS_HOST, config.METRICS_PORT);
  log.info(
    {
      grpcPort: server.port,
      metricsPort: metricsServer.port,
      bucket: config.S3_BUCKET,
      s3Endpoint: config.S3_ENDPOINT,
      transport: security.transport,
      authentication: security.tokens.size > 0 ? 'bearer' : 'off',
    },
    'ready',
  );

  return {
    server,
    metricsPort: metricsServer.port,
    logger: log,
    stop: async () => {
      await server.shutdown();
      await stop?.();
      await metricsServer.stop();
    },
  };
}

/** Runs a service process: `startService`, then a graceful shutdown and exit on SIGTERM or SIGINT. */
export async function runService<T extends EnvTable>(options: ServiceDefinitionOptions<T>, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const service = await startService(options, env);
  const { server, logger } = service;
  const onStopped = async () => {
    await service.stop();
    logger.info({}, 'stopped');
    process.exit(0);
  };
  shutdownOnSignals(server, logger, onStopped);
}
