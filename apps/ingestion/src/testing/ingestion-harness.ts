import { IngestionService } from '@inception/proto';
import { createRpcClient, startRpcServer, type RpcServer } from '@inception/rpc';
import { ObjectStore } from '@inception/storage';
import { createLogger, createMetricsRegistry } from '@inception/telemetry';
import { startTestObjectStore, type TestObjectStore } from '@inception/testing';
import type { Registry } from 'prom-client';
import { ingestionMetrics } from '../metrics.js';
import { ingestionHandlers, type IngestionDependencies } from '../rpc/handlers.js';

function ingestionClient(address: string) {
  return createRpcClient(IngestionService, address, { timeoutMs: 120_000 });
}

export interface IngestionHarness {
  objects: TestObjectStore;
  server: RpcServer;
  client: ReturnType<typeof ingestionClient>;
  metrics: Registry;
  /** An ObjectStore on another bucket of the same s3rver, created on first use. */
  bucket(name: string): Promise<ObjectStore>;
  stop(): Promise<void>;
}

/** Starts s3rver and a real ingestion gRPC server on port 0, with a client. */
export async function startIngestionHarness(overrides: Partial<IngestionDependencies> = {}): Promise<IngestionHarness> {
  const objects = await startTestObjectStore();
  const otherBucket = (name: string) => new ObjectStore({ endpoint: objects.s3.endpoint, accessKey: objects.s3.accessKey, secretKey: objects.s3.secretKey, bucket: name });
  const metrics = createMetricsRegistry('inception_ingestion');
  const server = await startRpcServer({
    name: 'ingestion',
    logger: createLogger('ingestion-test', 'silent'),
    services: [
      ingestionHandlers({
        store: objects.store,
        metrics: ingestionMetrics(metrics),
        maxImagePixels: 100_000_000,
        concurrency: 4,
        openBucket: (name) => (name === objects.store.bucket ? objects.store : otherBucket(name)),
        ...overrides,
      }),
    ],
  });
  const client = ingestionClient(server.address);
  return {
    objects,
    server,
    client,
    metrics,
    async bucket(name) {
      const store = otherBucket(name);
      await store.ensureBucket();
      return store;
    },
    async stop() {
      client.close();
      await server.shutdown();
      await objects.stop();
    },
  };
}
