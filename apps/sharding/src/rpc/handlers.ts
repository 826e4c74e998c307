import { hostname } from 'node:os';
import { ShardingService, type ShardDatasetRequest } from '@inception/proto';
import { GrpcStatus, implement, requireField, requireName, ServiceError, type CallContext, type ServiceRegistration } from '@inception/rpc';
import { StorageError, type ObjectStore } from '@inception/storage';
import { shardSetId, type ShardSetRequest } from '../domain/plan.js';
import { shardSetKey } from '../domain/running-sets.js';
import { ShardRequestError } from '../domain/shard-dataset.js';
import { UnitAttemptError, UnitFailedError } from '../domain/unit-attempts.js';
import { ShardIntegrityError } from '../domain/verify-shard.js';
import { ShardUnitError } from '../domain/write-shard.js';
import type { ShardingMetrics } from '../metrics.js';
import { DatasetReader } from '../storage/dataset-reader.js';
import { readShardSetManifest } from '../storage/shard-objects.js';
import type { ProgressRecordTiming } from '../storage/progress-record.js';
import { SetObserver } from '../storage/set-observer.js';
import { compressionName, shardMessage, shardSetMessage } from './convert.js';
import { ShardSetCoordinator } from './coordinator.js';
import { listShardSets } from './list-sets.js';
import { streamRecordedProgress } from './remote-progress.js';
import { streamProgress } from './watch.js';
import { WriteShardCallError, type WorkerChannelOptions } from './worker-channel.js';

export interface ShardingDependencies {
  store: ObjectStore;
  metrics: ShardingMetrics;
  /** gRPC target of all replicas; undefined runs every unit in this process. */
  workersTarget?: string;
  /** Credentials and bearer token of the calls to the replicas (default insecure, no token). */
  workerChannel?: WorkerChannelOptions;
  /** Units in flight per ShardDataset call. */
  concurrency: number;
  /** Deadline of one unit attempt, in milliseconds. */
  unitTimeoutMs: number;
  /** Attempts per unit, the first included. */
  unitAttempts: number;
  /** Wait before the first retry of a unit, in milliseconds, doubling for each later one (default 500). */
  retryBackoffMs?: number;
  /** Images a unit downloads ahead of the record it writes (default 16). */
  readAheadImages?: number;
  /** Memory for whole image packs, in bytes (default 256 MiB); 0 reads each image on its own. */
  packCacheBytes?: number;
  /** How often progress records are written and read (defaults in DEFAULT_PROGRESS_RECORD_TIMING). */
  progressRecordTiming?: Partial<ProgressRecordTiming>;
}

const DEFAULT_SEED = 12345;
const DEFAULT_NUM_THREADS = 2;
const DEFAULT_SHARDS = 2;

/** Name this process gives itself in WriteShard responses: host name and process id. */
const REPLICA_NAME = `${hostname()}:${process.pid}`;

function toServiceError(error: unknown): unknown {
  if (error instanceof ShardRequestError || error instanceof ShardUnitError) return ServiceError.invalidArgument(error.message);
  if (error instanceof ShardIntegrityError) return ServiceError.dataLoss(error.message, error);
  if (error instanceof StorageError && error.kind === 'not-found') return ServiceError.notFound(error.message);
  if (error instanceof StorageError && error.kind === 'integrity') return ServiceError.dataLoss(error.message, error);
  if (error instanceof StorageError && error.kind === 'unavailable') return ServiceError.unavailable(error.message, error);
  if (error instanceof UnitFailedError) {
    // The set fails with the status of the unit's last attempt and a message that names the shard.
    const last = toServiceError(attemptCause(error.lastError));
    return new ServiceError(last instanceof ServiceError ? last.code : GrpcStatus.INTERNAL, error.message, { cause: error });
  }
  return error;
}

/** Returns what made a unit attempt fail: the replica's status, or the error of a unit written here. */
function attemptCause(error: unknown): unknown {
  const cause = error instanceof UnitAttemptError ? error.cause : error;
  return cause instanceof WriteShardCallError ? cause.error : cause;
}

/** Errors after which a unit written in this process is not worth repeating. */
function isPermanentUnitError(error: unknown): boolean {
  return error instanceof ShardUnitError || (error instanceof StorageError && error.kind === 'not-found');
}

/** Reads the dataset and shard inputs of a ShardDataset request, with the original converter's defaults. */
function shardInputs(request: ShardDatasetRequest): { name: string; version: number; shardRequest: ShardSetRequest } {
  const ref = requireField(request.dataset, 'dataset');
  const name = requireName(ref.name, 'dataset.name');
  if (ref.version === 0) throw ServiceError.invalidArgument('missing required field dataset.version');
  return {
    name,
    version: ref.version,
    shardRequest: {
      trainShards: request.trainShards || DEFAULT_SHARDS,
      validationShards: request.validationShards || DEFAULT_SHARDS,
      numThreads: request.numThreads || DEFAULT_NUM_THREADS,
      compression: compressionName(request.compression, 'compression'),
      seed: request.seed === undefined ? DEFAULT_SEED : Number(request.seed),
    },
  };
}

/** Builds the ShardingService handlers; the returned `close` releases the channel to the replicas. */
export function shardingHandlers(dependencies: ShardingDependencies): { registration: ServiceRegistration; close: () => void } {
  const { store } = dependencies;
  const datasets = new DatasetReader(store, dependencies.packCacheBytes);
  const coordinator = new ShardSetCoordinator(dependencies, datasets, isPermanentUnitError);

  const registration = implement(ShardingService, {
    async shardDataset(request, context) {
      const { name, version, shardRequest } = shardInputs(request);
      try {
        const result = await coordinator.shardDataset(name, version, shardRequest, context);
        context.logger.info({ dataset: name, version, setId: result.manifest.setId, created: result.created }, 'shard set ready');
        // The response carries the digest of the manifest as stored, which another coordinator may have written.
        const stored = await readShardSetManifest(store, result.manifest.dataset, result.manifest.setId);
        return { shardSet: shardSetMessage(stored.manifest, stored), created: result.created };
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
      if (!shardKey.startsWith(`shards/${name}/v${ref.version}/`) || shardKey.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
        throw ServiceError.invalidArgument(`shard_key "${shardKey}" is outside shards/${name}/v${ref.version}/ or has an empty, "." or ".." segment`);
      }
      if (request.numShards === 0 || request.shardIndex >= request.numShards) {
        throw ServiceError.invalidArgument(`shard_index ${request.shardIndex} must be below num_shards ${request.numShards}, which must be positive`);
      }
      const unit = { dataset: { name, version: ref.version }, split: request.split, shardIndex: request.shardIndex, numShards: request.numShards, imagePositions: request.imagePositions, shardKey, compression: compressionName(request.compression, 'compression') } as const;

      context.logger.info({ shard: shardKey, records: unit.imagePositions.length }, 'shard unit started');
      try {
        const entry = await coordinator.writeUnit(unit, context.signal, context.logger);
        context.logger.info({ shard: shardKey, records: entry.records, sizeBytes: entry.sizeBytes }, 'shard written');
        return { shard: shardMessage(entry), replica: REPLICA_NAME };
      } catch (error) {
        throw toServiceError(error);
      }
    },

    async watchSharding(request, send, context: CallContext) {
      let name: string;
      let version: number;
      let setId: string;
      if (request.request) {
        const inputs = shardInputs(request.request);
        ({ name, version } = inputs);
        setId = shardSetId(inputs.shardRequest);
      } else {
        const ref = requireField(request.dataset, 'dataset');
        name = requireName(ref.name, 'dataset.name');
        version = ref.version;
        setId = requireField(request.setId, 'set_id');
      }

      const key = shardSetKey({ name, version }, setId);
      const setName = `shard set ${setId} of ${name} v${version}`;
      const { pollMs, staleMs } = coordinator.recordTiming;
      const observer = new SetObserver(store, { name, version }, setId, staleMs);
      for (;;) {
        const local = coordinator.sets.progress(key);
        if (local) return streamProgress(local, send, context.signal);

        // Streams another replica's live run or a written set. The record of a failed run, or of
        // a run whose coordinator is gone, is streamed too unless the caller waits for a new run.
        const observation = await observer.observe();
        const isLive = observation.kind === 'written' || (observation.kind === 'recorded' && observation.alive);
        if (isLive || (observation.kind === 'recorded' && !request.waitForStart)) {
          return streamRecordedProgress(observer, observation, send, context.signal, pollMs, setName);
        }
        if (!request.waitForStart) {
          throw ServiceError.notFound(`${setName} is neither running nor written; send ShardDataset, or set wait_for_start to wait for it`);
        }

        try {
          await coordinator.sets.waitForStart(key, AbortSignal.any([context.signal, AbortSignal.timeout(pollMs)]));
        } catch (error) {
          if (context.signal.aborted) throw error;
        }
      }
    },

    async listShardSets(request) {
      const ref = requireField(request.dataset, 'dataset');
      const name = requireName(ref.name, 'dataset.name');
      try {
        return await listShardSets(store, name, ref.version, coordinator.recordTiming.staleMs);
      } catch (error) {
        throw toServiceError(error);
      }
    },
  });

  return { registration, close: () => coordinator.close() };
}
