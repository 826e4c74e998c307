import { createHash } from 'node:crypto';
import { ShardingService } from '@inception/proto';
import { createRpcClient, implement, requireField, requireName, ServiceError, type RpcClient, type ServiceRegistration } from '@inception/rpc';
import { layout, StorageError, type ObjectStore, type ShardEntry } from '@inception/storage';
import { shardDataset, ShardRequestError } from '../domain/shard-dataset.js';
import { ShardUnitError, writeShard, type WriteShardUnit } from '../domain/write-shard.js';
import type { ShardingMetrics } from '../metrics.js';
import { DatasetReader } from '../storage/dataset-reader.js';
import { compressionEnum, compressionName, shardEntryFrom, shardMessage, shardSetMessage } from './convert.js';

export interface ShardingDependencies {
  store: ObjectStore;
  metrics: ShardingMetrics;
  /** gRPC target of all replicas; undefined runs every unit in this process. */
  workersTarget?: string;
  concurrency: number;
  unitTimeoutMs: number;
  unitAttempts: number;
}

const DEFAULT_SEED = 12345;
const DEFAULT_NUM_THREADS = 2;

function toServiceError(error: unknown): unknown {
  if (error instanceof ShardRequestError || error instanceof ShardUnitError) return ServiceError.invalidArgument(error.message);
  if (error instanceof StorageError && error.kind === 'not-found') return ServiceError.notFound(error.message);
  if (error instanceof StorageError && error.kind === 'integrity') return ServiceError.dataLoss(error.message, error);
  if (error instanceof StorageError && error.kind === 'unavailable') return ServiceError.unavailable(error.message, error);
  return error;
}

/** Builds the ShardingService handlers; the returned `close` releases the channel to the replicas. */
export function shardingHandlers(dependencies: ShardingDependencies): { registration: ServiceRegistration; close: () => void } {
  const datasets = new DatasetReader(dependencies.store);
  let workers: RpcClient<typeof ShardingService.method> | undefined;
  if (dependencies.workersTarget) {
    workers = createRpcClient(ShardingService, dependencies.workersTarget, {
      roundRobin: true,
      idempotentMethods: ['WriteShard'],
      retryOnDeadlineExceeded: true,
      timeoutMs: dependencies.unitTimeoutMs,
    });
  }

  const writeLocally = async (unit: WriteShardUnit, signal?: AbortSignal): Promise<ShardEntry> => {
    dependencies.metrics.inFlight.inc();
    const stopTimer = dependencies.metrics.unitSeconds.startTimer();
    try {
      const entry = await writeShard(dependencies.store, datasets, unit, signal);
      dependencies.metrics.records.inc(entry.records);
      dependencies.metrics.bytes.inc(entry.sizeBytes);
      return entry;
    } finally {
      stopTimer();
      dependencies.metrics.inFlight.dec();
    }
  };

  const runUnit = async (unit: WriteShardUnit, deadlineMs: number): Promise<ShardEntry> => {
    if (!workers) return writeLocally(unit);
    const response = await workers.writeShard(
      { dataset: unit.dataset, split: unit.split, shardIndex: unit.shardIndex, numShards: unit.numShards, imagePositions: unit.imagePositions, shardKey: unit.shardKey, compression: compressionEnum(unit.compression) },
      { deadlineMs, timeoutMs: dependencies.unitTimeoutMs },
    );
    return shardEntryFrom(requireField(response.shard, 'shard'));
  };

  const registration = implement(ShardingService, {
    async shardDataset(request, context) {
      const ref = requireField(request.dataset, 'dataset');
      const name = requireName(ref.name, 'dataset.name');
      if (ref.version === 0) throw ServiceError.invalidArgument('missing required field dataset.version');
      const shardRequest = {
        trainShards: request.trainShards || 2,
        validationShards: request.validationShards || 2,
        numThreads: request.numThreads || DEFAULT_NUM_THREADS,
        compression: compressionName(request.compression, 'compression'),
        seed: request.seed === undefined ? DEFAULT_SEED : Number(request.seed),
      };
      try {
        const manifest = await datasets.manifest(name, ref.version);
        const result = await shardDataset(dependencies.store, manifest, shardRequest, {
          runUnit: (unit) => runUnit(unit, context.deadlineMs),
          concurrency: dependencies.concurrency,
          attempts: dependencies.unitAttempts,
          onUnitEvent: (event) => {
            dependencies.metrics.units.inc({ outcome: event.outcome });
            if (event.outcome === 'failed') context.logger.warn({ shard: event.unit.shardKey, err: event.error }, 'shard unit failed');
          },
        });
        const manifestKey = layout.shardSetManifest(name, ref.version, result.manifest.setId);
        const bytes = await dependencies.store.getBytes(manifestKey);
        context.logger.info({ dataset: name, version: ref.version, setId: result.manifest.setId, created: result.created }, 'shard set ready');
        return { shardSet: shardSetMessage(result.manifest, { sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }), created: result.created };
      } catch (error) {
        throw toServiceError(error);
      }
    },

    async writeShard(request, context) {
      const ref = requireField(request.dataset, 'dataset');
      const name = requireName(ref.name, 'dataset.name');
      if (request.split !== 'train' && request.split !== 'validation') {
        throw ServiceError.invalidArgument(`split "${request.split}" must be "train" or "validation"`);
      }
      const shardKey = requireField(request.shardKey, 'shard_key');
      if (!shardKey.startsWith(`shards/${name}/v${ref.version}/`)) {
        throw ServiceError.invalidArgument(`shard_key "${shardKey}" is outside shards/${name}/v${ref.version}/`);
      }
      try {
        const entry = await writeLocally(
          { dataset: { name, version: ref.version }, split: request.split, shardIndex: request.shardIndex, numShards: request.numShards, imagePositions: request.imagePositions, shardKey, compression: compressionName(request.compression, 'compression') },
          context.signal,
        );
        return { shard: shardMessage(entry) };
      } catch (error) {
        throw toServiceError(error);
      }
    },
  });

  return { registration, close: () => workers?.close() };
}
