import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { channelCredentials, waitUntilServing } from '@inception/rpc';
import { startProcess, type StartedProcess } from './child-process.js';

export interface StackOptions {
  /** Folder for the embedded S3 server's objects and the services' logs. */
  dataDir: string;
  /** Use this S3 server instead of starting the embedded one; credentials come from `env`. */
  s3Endpoint?: string;
  /**
   * Base environment of every child (S3 credentials, LOG_LEVEL, TRAINER_BACKEND, AUTH_TOKENS_FILE,
   * SERVICE_TOKEN, …). With TLS_CERT_FILE or TLS_CA_FILE set, the health checks use TLS as well.
   */
  env: NodeJS.ProcessEnv;
  /** Called as each part comes up, for progress output. */
  onReady?: (name: string, detail: string) => void;
}

export interface ServiceAddress {
  grpc: string;
  metricsUrl: string;
}

export type ServiceName = 'ingestion' | 'sharding' | 'registry' | 'trainer';

export interface RestartOptions {
  /** End the process with SIGKILL instead of a graceful SIGTERM (default false). */
  kill?: boolean;
  /**
   * Runs after the old process has exited and before the new one starts, so a fault test can
   * keep the outage going until a client has run into it.
   */
  whileStopped?: () => Promise<void>;
}

export interface Stack {
  s3Endpoint: string;
  bucket: string;
  services: Record<ServiceName, ServiceAddress>;
  logDir: string;
  /** The running child processes by name ("s3" when the embedded server was started), for fault tests. */
  processes: Map<string, StartedProcess>;
  /**
   * Stops a service and starts it again with the environment it had, on the same gRPC port.
   * "s3" restarts the embedded S3 server on the same port and folder.
   */
  restartService(name: ServiceName | 's3', options?: RestartOptions): Promise<StartedProcess>;
  /** Credentials that reach the services: TLS when the services' environment sets it. */
  credentials: grpc.ChannelCredentials;
  /** Stops the services (trainer first, so it can checkpoint), then the embedded S3 server. */
  stop(): Promise<void>;
}

const SERVICES = [
  { key: 'ingestion', entry: 'apps/ingestion/src/main.ts' },
  { key: 'sharding', entry: 'apps/sharding/src/main.ts' },
  { key: 'registry', entry: 'apps/model-registry/src/main.ts' },
  { key: 'trainer', entry: 'apps/trainer/src/main.ts' },
] as const;

/** The trainer stops first, so it can checkpoint while the registry and S3 still run; S3 stops last. */
const STOP_ORDER = ['trainer', 'registry', 'sharding', 'ingestion', 's3'];

/**
 * Starts the whole stack on 127.0.0.1, each part its own process: the embedded S3 server (unless
 * an endpoint is given), then ingestion, sharding, the registry and the trainer on free ports,
 * each checked with grpc.health.v1 before the stack is returned.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const logLevel = options.env.LOG_LEVEL;
  if (logLevel && !['info', 'debug', 'trace'].includes(logLevel)) {
    throw new Error(`LOG_LEVEL=${logLevel} hides the "ready" line each service logs at info level, which the stack waits for; use info, debug or trace`);
  }
  const logDir = path.join(options.dataDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const processes = new Map<string, StartedProcess>();
  const environments = new Map<ServiceName, NodeJS.ProcessEnv>();
  const stopAll = async () => {
    for (const name of STOP_ORDER) {
      await processes.get(name)?.stop();
    }
  };
  // The stack calls its services with their own certificate, so mutual TLS accepts its health checks.
  const credentials = await channelCredentials({ caFile: options.env.TLS_CA_FILE, certFile: options.env.TLS_CERT_FILE, keyFile: options.env.TLS_KEY_FILE });
  const launch = async (service: (typeof SERVICES)[number], env: NodeJS.ProcessEnv) => {
    const child = await startProcess(service.key, service.entry, env, path.join(logDir, `${service.key}.log`));
    processes.set(service.key, child);
    const grpc = `127.0.0.1:${child.ready.grpcPort}`;
    const status = await waitUntilServing(grpc, 15_000, 200, credentials);
    if (status !== 'SERVING') {
      throw new Error(`${service.key} at ${grpc} health check returned ${status}; see ${child.logFile}`);
    }
    return child;
  };

  try {
    const bucket = options.env.S3_BUCKET ?? 'inception';
    let s3Endpoint = options.s3Endpoint;
    const baseEnv: NodeJS.ProcessEnv = { ...options.env, S3_BUCKET: bucket };
    let s3Env: NodeJS.ProcessEnv | undefined;
    if (!s3Endpoint) {
      s3Env = { ...baseEnv, S3_DATA_DIR: path.join(options.dataDir, 's3') };
      const s3 = await startProcess('s3', 'apps/cli/src/stack/s3-process.ts', s3Env, path.join(logDir, 's3.log'));
      processes.set('s3', s3);
      // A restart reuses the port, so the services keep their endpoint.
      s3Env.S3_PORT = String(s3.ready.port);
      s3Endpoint = String(s3.ready.endpoint);
      baseEnv.S3_ACCESS_KEY = 'S3RVER';
      baseEnv.S3_SECRET_KEY = 'S3RVER';
      options.onReady?.('s3', s3Endpoint);
    }

    const services = {} as Stack['services'];
    for (const service of SERVICES) {
      const env: NodeJS.ProcessEnv = { ...baseEnv, S3_ENDPOINT: s3Endpoint, GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', METRICS_HOST: '127.0.0.1', METRICS_PORT: '0' };
      if (service.key === 'trainer') env.REGISTRY_ADDRESS = services.registry.grpc;
      const child = await launch(service, env);
      // A restart reuses the port, so clients keep their address.
      environments.set(service.key, { ...env, GRPC_PORT: String(child.ready.grpcPort), METRICS_PORT: String(child.ready.metricsPort) });
      services[service.key] = { grpc: `127.0.0.1:${child.ready.grpcPort}`, metricsUrl: `http://127.0.0.1:${child.ready.metricsPort}/metrics` };
      options.onReady?.(service.key, services[service.key].grpc);
    }

    const restartService = async (name: ServiceName | 's3', restart: RestartOptions = {}) => {
      const running = processes.get(name);
      await (restart.kill ? running?.kill() : running?.stop());
      await restart.whileStopped?.();
      if (name === 's3') {
        if (!s3Env) throw new Error('the stack uses an external S3 server, which it cannot restart');
        const s3 = await startProcess('s3', 'apps/cli/src/stack/s3-process.ts', s3Env, path.join(logDir, 's3.log'));
        processes.set('s3', s3);
        return s3;
      }
      processes.delete(name);
      return launch(SERVICES.find((service) => service.key === name)!, environments.get(name)!);
    };

    return { s3Endpoint, bucket, services, logDir, processes, restartService, credentials, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
