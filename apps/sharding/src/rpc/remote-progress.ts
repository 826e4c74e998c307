import { setTimeout as sleep } from 'node:timers/promises';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { WatchShardingResponseSchema } from '@inception/proto';
import { ServiceError } from '@inception/rpc';
import type { ShardEntry } from '@inception/storage';
import { goneCoordinatorMessage, type ProgressRecord } from '../storage/progress-record.js';
import type { SetObservation, SetObserver } from '../storage/set-observer.js';
import { finishedProgressMessage, progressMessage, shardMessage } from './convert.js';

type WatchResponse = MessageInitShape<typeof WatchShardingResponseSchema>;

/** Resolves after `ms`, or at once when `signal` aborts; the callers check the signal themselves. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * Streams the progress of a set that another replica coordinates, as read from its progress
 * record every `pollMs`: a message whenever the record changes, and a last one when the set is
 * written (from its manifest) or failed. Each published shard is sent once. Ends with
 * UNAVAILABLE when the coordinator stops writing the record before the set ends.
 */
export async function streamRecordedProgress(observer: SetObserver, first: SetObservation, send: (response: WatchResponse) => Promise<void>, signal: AbortSignal, pollMs: number, setName: string): Promise<void> {
  const sentShardKeys = new Set<string>();
  const unsent = (shards: ShardEntry[]) => {
    const fresh = shards.filter((shard) => !sentShardKeys.has(shard.key));
    for (const shard of fresh) sentShardKeys.add(shard.key);
    return fresh.map(shardMessage);
  };

  let lastUpdatedAt: string | undefined;
  let observation = first;
  while (!signal.aborted) {
    if (observation.kind === 'written') {
      await send({ progress: finishedProgressMessage(observation.manifest), finishedShards: unsent(observation.manifest.shards) });
      return;
    }
    if (observation.kind === 'absent') {
      throw ServiceError.unavailable(`${setName}: its progress record was deleted, but no manifest was written`);
    }

    const { record, alive } = observation;
    if (record.updatedAt !== lastUpdatedAt) {
      lastUpdatedAt = record.updatedAt;
      await send({ progress: progressMessage(record.progress), finishedShards: unsent(record.finishedShards) });
    }
    if (record.progress.state !== 'running') return;
    if (!alive) throw ServiceError.unavailable(`${setName}: ${goneCoordinatorMessage(record)}`);

    await pause(pollMs, signal);
    observation = await observer.observe();
  }
}

/**
 * Waits while another replica's coordinator runs the set, so this one does not write the same
 * shards again: until the set is written, fails, or its coordinator is gone. Calls `onWait` once
 * when there is such a run.
 */
export async function waitForOtherCoordinator(observer: SetObserver, signal: AbortSignal, pollMs: number, onWait: (record: ProgressRecord) => void): Promise<void> {
  let observation = await observer.observe();
  if (observation.kind !== 'recorded' || !observation.alive) return;

  onWait(observation.record);
  while (observation.kind === 'recorded' && observation.alive) {
    await pause(pollMs, signal);
    signal.throwIfAborted();
    observation = await observer.observe();
  }
}
