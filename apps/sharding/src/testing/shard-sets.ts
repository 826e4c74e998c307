import { createHash } from 'node:crypto';
import { ShardingService } from '@inception/proto';
import { createRpcClient, silentLogger, startRpcServer, type RpcClient, type RpcServer } from '@inception/rpc';
import { layout, type ObjectStore, type ShardSetManifest } from '@inception/storage';
import { createMetricsRegistry } from '@inception/telemetry';
import type { Registry } from 'prom-client';
import { shardingMetrics } from '../metrics.js';
import { shardingHandlers, type ShardingDependencies } from '../rpc/handlers.js';

export interface TestShardingServer {
  server: RpcServer;
  client: RpcClient<typeof ShardingService.method>;
  metrics: Registry;
  /** Finished calls per method name, e.g. { WriteShard: 12 }. */
  calls: Record<string, number>;
  stop(): Promise<void>;
}

/** Starts an in-process sharding server on 127.0.0.1 and a free port, counting the calls it finishes. */
export async function startTestShardingServer(store: ObjectStore, options: Partial<Omit<ShardingDependencies, 'store' | 'metrics'>> = {}): Promise<TestShardingServer> {
  const metrics = createMetricsRegistry('inception_sharding');
  const handlers = shardingHandlers({ store, metrics: shardingMetrics(metrics), concurrency: 4, unitTimeoutMs: 60_000, unitAttempts: 3, retryBackoffMs: 1, ...options });
  const calls: Record<string, number> = {};
  const server = await startRpcServer({
    name: 'sharding',
    services: [handlers.registration],
    logger: silentLogger,
    shutdownGraceMs: 1_000,
    onCallEnd: ({ method }) => {
      calls[method] = (calls[method] ?? 0) + 1;
    },
  });
  const client = createRpcClient(ShardingService, server.address, { timeoutMs: 300_000 });
  return {
    server,
    client,
    metrics,
    calls,
    stop: async () => {
      client.close();
      handlers.close();
      await server.shutdown();
    },
  };
}

/** Reads a shard set's manifest and the SHA-256 of every shard object as stored, by key. */
export async function storedShardDigests(store: ObjectStore, dataset: { name: string; version: number }, setId: string): Promise<Record<string, string>> {
  const manifest = await store.getJson<ShardSetManifest>(layout.shardSetManifest(dataset.name, dataset.version, setId));
  const digests: Record<string, string> = {};
  for (const shard of manifest.shards) {
    digests[shard.key] = createHash('sha256').update(await store.getBytes(shard.key)).digest('hex');
  }
  return digests;
}

/** Lists the keys under a shard set's `_incomplete/` folder. */
export async function incompleteKeys(store: ObjectStore, dataset: { name: string; version: number }, setId: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(`${layout.shardSetPrefix(dataset.name, dataset.version, setId)}_incomplete/`)) keys.push(object.key);
  return keys;
}

/** Returns the value of a counter in `registry` for the given labels, 0 when it was never incremented. */
export async function counterValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  const match = values.find((value) => Object.entries(labels).every(([label, expected]) => value.labels[label] === expected));
  return match?.value ?? 0;
}
