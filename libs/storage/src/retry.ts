import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError, storageErrorFrom } from './errors.js';

/** Retry settings of idempotent object-store requests after a connection error or a 5xx response. */
export interface RetryPolicy {
  /** Attempts including the first (default 5); 1 turns retries off. */
  maxAttempts: number;
  /** Backoff before the first retry, in milliseconds (default 250); it doubles per retry. */
  initialBackoffMs: number;
  /** Largest backoff, in milliseconds (default 4000). */
  maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialBackoffMs: 250, maxBackoffMs: 4_000 };

/** One retry about to happen, for the caller's log. */
export interface RetryEvent {
  /** The ObjectStore method, e.g. "getBytes". */
  operation: string;
  key: string;
  /** The attempt that failed, 1 for the first. */
  attempt: number;
  /** Wait before the next attempt, in milliseconds. */
  delayMs: number;
  error: StorageError;
}

/**
 * Returns the wait before retry number `retry` (1 for the first): the exponential backoff with
 * "equal jitter", half fixed and half random, so that clients that failed together spread out
 * but none retries at once.
 */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceilingMs = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (retry - 1));
  return Math.round(ceilingMs / 2 + (random() * ceilingMs) / 2);
}

/**
 * Runs `work` until it succeeds, fails with an error other than 'unavailable', or has run
 * `policy.maxAttempts` times. `work` must be safe to repeat. The last error's message ends with
 * the number of attempts made.
 */
export async function withRetry<T>(operation: string, key: string, policy: RetryPolicy, work: () => Promise<T>, onRetry?: (event: RetryEvent) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (caught) {
      const error = storageErrorFrom(caught, key, operation);
      if (error.kind !== 'unavailable') throw error;
      if (attempt >= policy.maxAttempts) {
        throw new StorageError(error.kind, error.key, `${error.message}; gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`, { cause: error.cause ?? error });
      }
      const delayMs = backoffMs(policy, attempt);
      onRetry?.({ operation, key, attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}
