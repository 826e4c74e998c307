import path from 'node:path';
import { startProcess } from '@inception/cli';
import { ingestionHandlers, ingestionMetrics } from '@inception/ingestion';
import { startIngestionHarness } from '@inception/ingestion/testing';
import { IngestionService } from '@inception/proto';
import { createRpcClient, startRpcServer } from '@inception/rpc';
import { EMBEDDED_S3_ACCESS_KEY, EMBEDDED_S3_SECRET_KEY, ObjectStore } from '@inception/storage';
import { createLogger, createMetricsRegistry } from '@inception/telemetry';
import { processTreeCpuSeconds } from './shard-processes.js';

export type S3Placement = 'in-process' | 'process';

/** The ingestion service under test, with its client and the S3 server it writes to. */
export interface IngestTarget {
  client: ReturnType<typeof ingestionClient>;
  /** CPU seconds the S3 server process has used so far; 0 when s3rver runs in this process. */
  s3CpuSeconds(): number;
  stop(): Promise<void>;
}

function ingestionClient(address: string) {
  return createRpcClient(IngestionService, address, { timeoutMs: 3_600_000 });
}

/**
 * Starts the ingestion gRPC handlers in this process, writing to s3rver either in this process
 * too or in a child process (apps/cli/src/stack/s3-process.ts). The child's CPU time is read from
 * /proc, which separates the service's own cost from the S3 server's.
 */
export async function startIngestTarget(placement: S3Placement, concurrency: number, workDir: string): Promise<IngestTarget> {
  if (placement === 'in-process') {
    const harness = await startIngestionHarness({ concurrency });
    return { client: harness.client, s3CpuSeconds: () => 0, stop: () => harness.stop() };
  }

  const s3 = await startProcess('s3', 'apps/cli/src/stack/s3-process.ts', { ...process.env, S3_DATA_DIR: path.join(workDir, 's3'), S3_PORT: '0', S3_BUCKET: 'inception' }, path.join(workDir, 's3.log'));
  const store = new ObjectStore({ endpoint: String(s3.ready.endpoint), accessKey: EMBEDDED_S3_ACCESS_KEY, secretKey: EMBEDDED_S3_SECRET_KEY, bucket: 'inception' });
  const server = await startRpcServer({
    name: 'ingestion',
    logger: createLogger('ingestion-bench', 'silent'),
    services: [ingestionHandlers({ store, metrics: ingestionMetrics(createMetricsRegistry('inception_ingestion')), maxImagePixels: 100_000_000, concurrency })],
  });
  const client = ingestionClient(server.address);
  return {
    client,
    s3CpuSeconds: () => processTreeCpuSeconds(s3.child.pid!),
    async stop() {
      client.close();
      await server.shutdown();
      await s3.stop();
    },
  };
}
