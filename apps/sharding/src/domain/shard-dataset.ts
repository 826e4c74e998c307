import { layout, type DatasetManifest, type ObjectStore, type ShardEntry, type ShardSetManifest } from '@inception/storage';
import pLimit from 'p-limit';
import { removeIncompleteObjects } from '../storage/shard-objects.js';
import { planShardSet, shardSetId, type ShardSetRequest, type ShardUnit } from './plan.js';
import { runUnitWithRetries, type RetryPolicy, type UnitEvent, type UnitRunner } from './unit-attempts.js';

export interface ShardDatasetOptions extends RetryPolicy {
  runUnit: UnitRunner;
  /** Units in flight at once. */
  concurrency: number;
  /** Deadline of the whole call as epoch milliseconds (default Infinity). */
  deadlineMs?: number;
  /** Abandons the set: no new attempts start and running ones are cancelled. */
  signal?: AbortSignal;
  /** Called once with the planned units, before the first one starts. */
  onPlanned?: (units: ShardUnit[]) => void;
  onUnitEvent?: (event: UnitEvent) => void;
  /** Called after temporary objects of the set were deleted, with their count. */
  onIncompleteRemoved?: (count: number) => void;
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
  if (!Number.isInteger(request.numThreads) || request.numThreads <= 0) {
    throw new ShardRequestError(`num_threads must be a positive integer, got ${request.numThreads}`);
  }
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

async function removeIncomplete(store: ObjectStore, setPrefix: string, options: ShardDatasetOptions): Promise<void> {
  const removed = await removeIncompleteObjects(store, setPrefix);
  if (removed > 0) options.onIncompleteRemoved?.(removed);
}

/** Runs every unit with bounded concurrency; after the first unit that fails for good, starts no more and cancels the rest. */
async function runUnits(manifest: DatasetManifest, request: ShardSetRequest, units: ShardUnit[], options: ShardDatasetOptions): Promise<ShardEntry[]> {
  const abandon = new AbortController();
  const onCallerAbort = () => abandon.abort(options.signal!.reason);
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (options.signal?.aborted) onCallerAbort();

  const limit = pLimit(options.concurrency);
  let firstError: unknown;
  const runOne = async (planned: ShardUnit): Promise<ShardEntry> => {
    abandon.signal.throwIfAborted();
    const unit = { dataset: { name: manifest.name, version: manifest.version }, ...planned, compression: request.compression };
    try {
      return await runUnitWithRetries(unit, planned, options.runUnit, options, {
        callDeadlineMs: options.deadlineMs ?? Infinity,
        signal: abandon.signal,
        onEvent: options.onUnitEvent,
      });
    } catch (error) {
      if (!abandon.signal.aborted) {
        firstError = error;
        abandon.abort(error);
      }
      throw error;
    }
  };

  try {
    const settled = await Promise.allSettled(units.map((planned) => limit(() => runOne(planned))));
    if (abandon.signal.aborted) throw firstError ?? abandon.signal.reason;
    return settled.map((result) => (result as PromiseFulfilledResult<ShardEntry>).value);
  } finally {
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/**
 * Writes a whole shard set, or returns the existing one with the same inputs. The set's
 * manifest is written only after every shard is published, so readers never see part of a set.
 * Temporary objects under the set's `_incomplete/` folder are deleted after the manifest is
 * written, when an existing set is returned, and after a failed run once its units have
 * stopped, which removes those of attempts whose process died mid-unit.
 */
export async function shardDataset(store: ObjectStore, manifest: DatasetManifest, request: ShardSetRequest, options: ShardDatasetOptions): Promise<ShardDatasetResult> {
  validate(manifest, request);
  const setId = shardSetId(request);
  const setPrefix = layout.shardSetPrefix(manifest.name, manifest.version, setId);
  const manifestKey = layout.shardSetManifest(manifest.name, manifest.version, setId);
  if (await store.exists(manifestKey)) {
    await removeIncomplete(store, setPrefix, options);
    return { manifest: await store.getJson<ShardSetManifest>(manifestKey), created: false };
  }

  const units = planShardSet(manifest, request);
  options.onPlanned?.(units);
  let shards: ShardEntry[];
  try {
    shards = await runUnits(manifest, request, units, options);
  } catch (error) {
    await removeIncomplete(store, setPrefix, options).catch(() => undefined);
    throw error;
  }

  // Another coordinator may have finished the same set meanwhile. Its manifest lists the same
  // shards, so it is kept, together with the digest that its callers were given.
  if (await store.exists(manifestKey)) {
    await removeIncomplete(store, setPrefix, options);
    return { manifest: await store.getJson<ShardSetManifest>(manifestKey), created: false };
  }
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
  await removeIncomplete(store, setPrefix, options);
  return { manifest: shardSet, created: true };
}
