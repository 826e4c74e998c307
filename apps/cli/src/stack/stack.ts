import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { waitUntilServing } from '@inception/rpc';
import { startProcess, type StartedProcess } from './child-process.js';

export interface StackOptions {
  /** Folder for the embedded S3 server's objects and the services' logs. */
  dataDir: string;
  /** Use this S3 server instead of starting the embedded one; credentials come from `env`. */
  s3Endpoint?: string;
  /** Base environment of every child (S3 credentials, LOG_LEVEL, TRAINER_BACKEND, …). */
  env: NodeJS.ProcessEnv;
  /** Called as each part comes up, for progress output. */
  onReady?: (name: string, detail: string) => void;
}

export interface ServiceAddress {
  grpc: string;
  metricsUrl: string;
}

export type ServiceName = 'ingestion' | 'sharding' | 'registry' | 'trainer';

export interface Stack {
  s3Endpoint: string;
  bucket: string;
  services: Record<ServiceName, ServiceAddress>;
  logDir: string;
  /** The running child processes by name ("s3" when the embedded server was started), for fault tests. */
  processes: Map<string, StartedProcess>;
  /** Starts a service again with the environment it had, on the same gRPC port, e.g. after a kill. */
  restartService(name: ServiceName): Promise<StartedProcess>;
  /** Stops the services (trainer first, so it can checkpoint), then the embedded S3 server. */
  stop(): Promise<void>;
}

const SERVICES = [
  { key: 'ingestion', entry: 'apps/ingestion/src/main.ts' },
  { key: 'sharding', entry: 'apps/sharding/src/main.ts' },
  { key: 'registry', entry: 'apps/model-registry/src/main.ts' },
  { key: 'trainer', entry: 'apps/trainer/src/main.ts' },
] as const;

/**
 * Starts the whole stack on 127.0.0.1, each part its own process: the embedded S3 server (unless
 * an endpoint is given), then ingestion, sharding, the registry and the trainer on free ports,
 * each checked with grpc.health.v1 before the stack is returned.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const logDir = path.join(options.dataDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const processes = new Map<string, StartedProcess>();
  const environments = new Map<ServiceName, NodeJS.ProcessEnv>();
  const stopAll = async () => {
    for (const process of [...processes.values()].reverse()) {
      await process.stop();
    }
  };
  const launch = async (service: (typeof SERVICES)[number], env: NodeJS.ProcessEnv) => {
    const child = await startProcess(service.key, service.entry, env, path.join(logDir, `${service.key}.log`));
    processes.set(service.key, child);
    const grpc = `127.0.0.1:${child.ready.grpcPort}`;
    const status = await waitUntilServing(grpc, 15_000);
    if (status !== 'SERVING') {
      throw new Error(`${service.key} at ${grpc} health check returned ${status}; see ${child.logFile}`);
    }
    return child;
  };

  try {
    const bucket = options.env.S3_BUCKET ?? 'inception';
    let s3Endpoint = options.s3Endpoint;
    const baseEnv: NodeJS.ProcessEnv = { ...options.env, S3_BUCKET: bucket };
    if (!s3Endpoint) {
      const s3 = await startProcess('s3', 'apps/cli/src/stack/s3-process.ts', { ...baseEnv, S3_DATA_DIR: path.join(options.dataDir, 's3') }, path.join(logDir, 's3.log'));
      processes.set('s3', s3);
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

    const restartService = async (name: ServiceName) => {
      await processes.get(name)?.stop();
      processes.delete(name);
      return launch(SERVICES.find((service) => service.key === name)!, environments.get(name)!);
    };

    // Stop order: trainer, registry, sharding, ingestion, then S3, the reverse of start.
    return { s3Endpoint, bucket, services, logDir, processes, restartService, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
