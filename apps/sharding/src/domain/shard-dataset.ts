import { layout, type DatasetManifest, type ObjectStore, type ShardEntry, type ShardSetManifest } from '@inception/storage';
import pLimit from 'p-limit';
import { planShardSet, shardSetId, type ShardSetRequest, type ShardUnit } from './plan.js';
import type { WriteShardUnit } from './write-shard.js';

export interface ShardDatasetOptions {
  /** Runs one unit, on this process or on a replica. */
  runUnit: (unit: WriteShardUnit) => Promise<ShardEntry>;
  concurrency: number;
  attempts: number;
  onUnitEvent?: (event: { unit: ShardUnit; outcome: 'started' | 'finished' | 'failed' | 'retried'; error?: unknown }) => void;
}

export interface ShardDatasetResult {
  manifest: ShardSetManifest;
  created: boolean;
}

/** Thrown when the shard request does not fit the dataset; the message names the field and value. */
export class ShardRequestError extends Error {
  override readonly name = 'ShardRequestError';
}

function validate(manifest: DatasetManifest, request: ShardSetRequest): void {
  for (const [field, shards] of [['train_shards', request.trainShards], ['validation_shards', request.validationShards]] as const) {
    if (!Number.isInteger(shards) || shards <= 0) {
      throw new ShardRequestError(`${field} must be a positive integer, got ${shards}`);
    }
    if (shards % request.numThreads !== 0) {
      throw new ShardRequestError(`${field} ${shards} is not a multiple of num_threads ${request.numThreads}, as build_image_data.py requires`);
    }
  }
  if (manifest.images.train.length === 0) {
    throw new ShardRequestError(`${manifest.name} v${manifest.version} has no training images`);
  }
}

async function runWithRetries(unit: WriteShardUnit, planned: ShardUnit, options: ShardDatasetOptions): Promise<ShardEntry> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    options.onUnitEvent?.({ unit: planned, outcome: attempt === 1 ? 'started' : 'retried' });
    try {
      const entry = await options.runUnit(unit);
      options.onUnitEvent?.({ unit: planned, outcome: 'finished' });
      return entry;
    } catch (error) {
      lastError = error;
      options.onUnitEvent?.({ unit: planned, outcome: 'failed', error });
    }
  }
  throw new Error(`shard ${planned.shardKey} failed after ${options.attempts} attempts: ${(lastError as Error)?.message ?? lastError}`, { cause: lastError });
}

/**
 * Writes a whole shard set, or returns the existing one with the same inputs. The set's
 * manifest is written only after every shard is published, so readers never see part of a set.
 */
export async function shardDataset(store: ObjectStore, manifest: DatasetManifest, request: ShardSetRequest, options: ShardDatasetOptions): Promise<ShardDatasetResult> {
  validate(manifest, request);
  const setId = shardSetId(request);
  const manifestKey = layout.shardSetManifest(manifest.name, manifest.version, setId);
  if (await store.exists(manifestKey)) {
    return { manifest: await store.getJson<ShardSetManifest>(manifestKey), created: false };
  }

  const units = planShardSet(manifest, request);
  const limit = pLimit(options.concurrency);
  const shards = await Promise.all(
    units.map((planned) =>
      limit(() =>
        runWithRetries(
          { dataset: { name: manifest.name, version: manifest.version }, split: planned.split, shardIndex: planned.shardIndex, numShards: planned.numShards, imagePositions: planned.imagePositions, shardKey: planned.shardKey, compression: request.compression },
          planned,
          options,
        ),
      ),
    ),
  );

  const shardSet: ShardSetManifest = {
    formatVersion: 1,
    dataset: { name: manifest.name, version: manifest.version },
    datasetContentSha256: manifest.contentSha256,
    setId,
    compression: request.compression,
    seed: request.seed,
    numThreads: request.numThreads,
    numShards: { train: request.trainShards, validation: request.validationShards },
    labels: manifest.labels,
    shards,
    createdAt: new Date().toISOString(),
  };
  await store.putJson(manifestKey, shardSet);
  return { manifest: shardSet, created: true };
}
