import path from 'node:path';
import { createInterface } from 'node:readline';
import { startProcess, type StartedProcess } from '@inception/cli';
import { EMBEDDED_S3_ACCESS_KEY, EMBEDDED_S3_SECRET_KEY, ObjectStore } from '@inception/storage';

export interface S3Process {
  process: StartedProcess;
  endpoint: string;
  port: number;
}

/** Starts the embedded S3 server as its own process, keeping its objects in `dataDir`; port 0 picks a free one. */
export async function startS3Process(dataDir: string, logDir: string, port = 0, bucket = 'inception'): Promise<S3Process> {
  const started = await startProcess('s3', 'apps/cli/src/stack/s3-process.ts', { ...process.env, S3_DATA_DIR: dataDir, S3_PORT: String(port), S3_BUCKET: bucket }, path.join(logDir, 's3.log'));
  return { process: started, endpoint: String(started.ready.endpoint), port: Number(started.ready.port) };
}

/** Opens a bucket of an S3 process started by {@link startS3Process}. */
export function s3ProcessStore(s3: { endpoint: string }, bucket = 'inception'): ObjectStore {
  return new ObjectStore({ endpoint: s3.endpoint, accessKey: EMBEDDED_S3_ACCESS_KEY, secretKey: EMBEDDED_S3_SECRET_KEY, bucket });
}

export interface ShardingProcess {
  process: StartedProcess;
  /** gRPC address, "127.0.0.1:<port>". */
  address: string;
  metricsUrl: string;
  /** Calls `listener` with every JSON log line the process prints from now on. */
  onLogLine(listener: (line: Record<string, unknown>) => void): void;
}

/** Starts a sharding service process (apps/sharding/src/main.ts) on free ports, using the S3 server at `s3Endpoint`. */
export async function startShardingProcess(name: string, s3Endpoint: string, logDir: string, env: NodeJS.ProcessEnv = {}): Promise<ShardingProcess> {
  const started = await startProcess(
    name,
    'apps/sharding/src/main.ts',
    {
      ...process.env,
      S3_ENDPOINT: s3Endpoint,
      S3_ACCESS_KEY: EMBEDDED_S3_ACCESS_KEY,
      S3_SECRET_KEY: EMBEDDED_S3_SECRET_KEY,
      S3_BUCKET: 'inception',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    path.join(logDir, `${name}.log`),
  );

  const lines = createInterface({ input: started.child.stdout! });
  const listeners: Array<(line: Record<string, unknown>) => void> = [];
  lines.on('line', (text) => {
    if (!text.startsWith('{')) return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const listener of listeners) listener(parsed);
  });

  return {
    process: started,
    address: `127.0.0.1:${started.ready.grpcPort}`,
    metricsUrl: `http://127.0.0.1:${started.ready.metricsPort}/metrics`,
    onLogLine: (listener) => listeners.push(listener),
  };
}

/** Resolves when the child has exited, with its signal or exit code. */
export function exited(started: StartedProcess): Promise<string> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? `code ${child.exitCode}`);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
}
