import { ServiceError, GrpcStatus, requireField } from '@inception/rpc';
import type { ShardEntry } from '@inception/storage';
import { UnitAttemptError, type UnitRunner } from '../domain/unit-attempts.js';
import type { WriteShardUnit } from '../domain/write-shard.js';
import { compressionEnum, shardEntryFrom } from './convert.js';
import { WriteShardCallError, type WorkerChannel } from './worker-channel.js';

/** Replica name of units that run in the process that coordinates the set. */
export const LOCAL_REPLICA = 'local';

/** Status codes after which repeating the same unit cannot succeed. */
const PERMANENT_CODES = new Set<GrpcStatus>([GrpcStatus.INVALID_ARGUMENT, GrpcStatus.NOT_FOUND, GrpcStatus.FAILED_PRECONDITION, GrpcStatus.UNIMPLEMENTED, GrpcStatus.PERMISSION_DENIED, GrpcStatus.UNAUTHENTICATED]);

/** Sends each attempt to a replica over `channel`, away from the replicas that failed the unit before. */
export function remoteUnitRunner(channel: WorkerChannel): UnitRunner {
  return async (unit, attempt) => {
    const request = {
      dataset: unit.dataset,
      split: unit.split,
      shardIndex: unit.shardIndex,
      numShards: unit.numShards,
      imagePositions: unit.imagePositions,
      shardKey: unit.shardKey,
      compression: compressionEnum(unit.compression),
    };
    try {
      const call = await channel.writeShard(request, { deadlineMs: attempt.deadlineMs, avoidReplicas: attempt.avoidReplicas, signal: attempt.signal });
      return { entry: shardEntryFrom(requireField(call.response.shard, 'shard')), replica: call.replica };
    } catch (error) {
      if (error instanceof WriteShardCallError) {
        throw new UnitAttemptError(error.message, { replica: error.replica, retryable: !PERMANENT_CODES.has(error.error.code), cause: error });
      }
      throw error;
    }
  };
}

/**
 * Runs each attempt in this process through `write`, cancelling it at the attempt's deadline.
 * A cancelled write stops at its next record; a request to the object store that hangs keeps
 * running in the background until the store responds or closes the connection.
 */
export function localUnitRunner(write: (unit: WriteShardUnit, signal: AbortSignal) => Promise<ShardEntry>, isPermanent: (error: unknown) => boolean): UnitRunner {
  return async (unit, attempt) => {
    const timeout = new AbortController();
    const timeoutMs = attempt.deadlineMs - Date.now();
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => timeout.abort(new ServiceError(GrpcStatus.DEADLINE_EXCEEDED, `shard ${unit.shardKey} was not written within its deadline`)), Math.max(timeoutMs, 0))
      : undefined;
    const signal = AbortSignal.any([timeout.signal, attempt.signal]);
    try {
      const written = write(unit, signal);
      // After a timeout the write settles on its own; its outcome no longer matters.
      written.catch(() => undefined);
      const entry = await Promise.race([
        written,
        new Promise<never>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
      ]);
      return { entry, replica: LOCAL_REPLICA };
    } catch (error) {
      throw new UnitAttemptError(error instanceof Error ? error.message : String(error), { replica: LOCAL_REPLICA, retryable: !isPermanent(error), cause: error });
    } finally {
      clearTimeout(timer);
    }
  };
}
