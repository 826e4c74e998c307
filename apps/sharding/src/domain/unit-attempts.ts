import type { ShardEntry } from '@inception/storage';
import type { ShardUnit } from './plan.js';
import type { WriteShardUnit } from './write-shard.js';

/** Inputs and limits of one attempt of a unit. */
export interface UnitAttempt {
  /** 1 for the first attempt of the unit. */
  number: number;
  /** Replicas on which earlier attempts of this unit failed; the attempt goes elsewhere when it can. */
  avoidReplicas: ReadonlySet<string>;
  /** Epoch milliseconds by which the attempt must end. */
  deadlineMs: number;
  /** Aborted when the shard set is abandoned. */
  signal: AbortSignal;
}

export interface UnitOutcome {
  entry: ShardEntry;
  /** Replica that wrote the shard, e.g. "127.0.0.1:50052", or "local" for this process. */
  replica: string;
}

/** Runs one attempt of a unit, in this process or on a replica. */
export type UnitRunner = (unit: WriteShardUnit, attempt: UnitAttempt) => Promise<UnitOutcome>;

/** Failure of one unit attempt, with the replica it ran on when that is known. */
export class UnitAttemptError extends Error {
  override readonly name = 'UnitAttemptError';
  readonly replica: string | undefined;
  /** False when repeating the unit cannot help, e.g. an image position outside the dataset. */
  readonly retryable: boolean;

  constructor(message: string, details: { replica?: string; retryable: boolean; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.replica = details.replica;
    this.retryable = details.retryable;
  }
}

/** A unit that failed for good: its last attempt failed and no attempts remain or help. */
export class UnitFailedError extends Error {
  override readonly name = 'UnitFailedError';

  constructor(
    message: string,
    readonly lastError: unknown,
  ) {
    super(message, { cause: lastError });
  }
}

export type UnitEvent =
  | { outcome: 'started' | 'retried'; unit: ShardUnit; attempt: number }
  | { outcome: 'failed'; unit: ShardUnit; attempt: number; replica?: string; error: unknown }
  | { outcome: 'finished'; unit: ShardUnit; attempt: number; replica: string; entry: ShardEntry };

export interface RetryPolicy {
  /** Attempts per unit, the first included. */
  attempts: number;
  /** Deadline of one attempt, in milliseconds. */
  unitTimeoutMs: number;
  /** Wait before the second attempt, in milliseconds; it doubles for each later one. */
  retryBackoffMs: number;
  /** Maximum wait between two attempts, in milliseconds. */
  maxRetryBackoffMs: number;
}

function abortableDelay(delayMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs a unit until one attempt succeeds. Each attempt gets its own deadline (capped by
 * `callDeadlineMs`) and the set of replicas that failed the unit before, so a retry lands on
 * another replica when one is known. Attempts are spaced by an exponential backoff, which lets
 * a restarted object store or replica come back before the attempts run out.
 */
export async function runUnitWithRetries(
  unit: WriteShardUnit,
  planned: ShardUnit,
  runUnit: UnitRunner,
  policy: RetryPolicy,
  context: { callDeadlineMs: number; signal: AbortSignal; onEvent?: (event: UnitEvent) => void },
): Promise<ShardEntry> {
  const failedOn = new Set<string>();
  let lastError: unknown;
  let attemptsMade = 0;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (attempt > 1) {
      const backoffMs = Math.min(policy.retryBackoffMs * 2 ** (attempt - 2), policy.maxRetryBackoffMs);
      if (Date.now() + backoffMs >= context.callDeadlineMs) break;
      await abortableDelay(backoffMs, context.signal);
    }
    context.signal.throwIfAborted();

    context.onEvent?.({ outcome: attempt === 1 ? 'started' : 'retried', unit: planned, attempt });
    attemptsMade = attempt;
    const deadlineMs = Math.min(Date.now() + policy.unitTimeoutMs, context.callDeadlineMs);
    try {
      const outcome = await runUnit(unit, { number: attempt, avoidReplicas: failedOn, deadlineMs, signal: context.signal });
      context.onEvent?.({ outcome: 'finished', unit: planned, attempt, replica: outcome.replica, entry: outcome.entry });
      return outcome.entry;
    } catch (error) {
      context.signal.throwIfAborted();
      lastError = error;
      const replica = error instanceof UnitAttemptError ? error.replica : undefined;
      context.onEvent?.({ outcome: 'failed', unit: planned, attempt, replica, error });
      if (replica !== undefined) failedOn.add(replica);
      if (error instanceof UnitAttemptError && !error.retryable) break;
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  const replicas = failedOn.size > 0 ? ` on ${[...failedOn].join(', ')}` : '';
  throw new UnitFailedError(`shard ${planned.shardKey} failed after ${attemptsMade} attempt(s)${replicas}: ${reason}`, lastError);
}
