import type { ShardEntry } from '@inception/storage';
import { describe, expect, it } from 'vitest';
import type { ShardUnit } from './plan.js';
import { runUnitWithRetries, UnitAttemptError, UnitFailedError, type UnitAttempt, type UnitEvent } from './unit-attempts.js';
import type { WriteShardUnit } from './write-shard.js';

const PLANNED: ShardUnit = { split: 'train', shardIndex: 0, numShards: 2, imagePositions: [0, 1], shardKey: 'shards/d/v1/set/train-00000-of-00002' };
const UNIT: WriteShardUnit = { dataset: { name: 'd', version: 1 }, ...PLANNED, compression: 'none' };
const ENTRY = { split: 'train', shardIndex: 0, numShards: 2, key: PLANNED.shardKey, records: 2 } as ShardEntry;
const POLICY = { attempts: 3, unitTimeoutMs: 1_000, retryBackoffMs: 0, maxRetryBackoffMs: 0 };

function run(runUnit: (attempt: UnitAttempt) => Promise<{ entry: ShardEntry; replica: string }>, options: { callDeadlineMs?: number; signal?: AbortSignal; events?: UnitEvent[] } = {}) {
  return runUnitWithRetries(UNIT, PLANNED, (_unit, attempt) => runUnit(attempt), POLICY, {
    callDeadlineMs: options.callDeadlineMs ?? Infinity,
    signal: options.signal ?? new AbortController().signal,
    onEvent: (event) => options.events?.push(event),
  });
}

describe('runUnitWithRetries', () => {
  it('sends each retry away from the replicas that failed', async () => {
    const avoided: string[][] = [];
    const replicas = ['a:1', 'b:2'];
    const entry = await run(async (attempt) => {
      avoided.push([...attempt.avoidReplicas]);
      if (attempt.number < 3) throw new UnitAttemptError('replica failed', { replica: replicas[attempt.number - 1], retryable: true });
      return { entry: ENTRY, replica: 'c:3' };
    });
    expect(entry).toBe(ENTRY);
    expect(avoided).toEqual([[], ['a:1'], ['a:1', 'b:2']]);
  });

  it('reports started, failed, retried and finished', async () => {
    const events: UnitEvent[] = [];
    await run(
      async (attempt) => {
        if (attempt.number === 1) throw new UnitAttemptError('timed out', { replica: 'a:1', retryable: true });
        return { entry: ENTRY, replica: 'b:2' };
      },
      { events },
    );
    expect(events.map((event) => `${event.outcome} ${event.attempt}`)).toEqual(['started 1', 'failed 1', 'retried 2', 'finished 2']);
  });

  it('stops after an error that a retry cannot fix', async () => {
    let attempts = 0;
    const error = await run(async () => {
      attempts += 1;
      throw new UnitAttemptError('image position 9 is outside the train split', { replica: 'a:1', retryable: false });
    }).catch((caught: unknown) => caught);
    expect(attempts).toBe(1);
    expect(error).toBeInstanceOf(UnitFailedError);
  });

  it('names the shard, attempts and replicas when it gives up', async () => {
    const error = (await run(async (attempt) => {
      throw new UnitAttemptError('object store unavailable', { replica: `r:${attempt.number}`, retryable: true });
    }).catch((caught: unknown) => caught)) as UnitFailedError;
    expect(error.message).toBe('shard shards/d/v1/set/train-00000-of-00002 failed after 3 attempt(s) on r:1, r:2, r:3: object store unavailable');
  });

  it('caps the attempt deadline by the call deadline', async () => {
    const callDeadlineMs = Date.now() + 10;
    let deadlineMs = 0;
    await run(
      async (attempt) => {
        deadlineMs = attempt.deadlineMs;
        return { entry: ENTRY, replica: 'a:1' };
      },
      { callDeadlineMs },
    );
    expect(deadlineMs).toBe(callDeadlineMs);
  });

  it('starts no attempt once the set is abandoned', async () => {
    const abandon = new AbortController();
    abandon.abort(new Error('another unit failed'));
    let attempts = 0;
    await expect(
      run(
        async () => {
          attempts += 1;
          return { entry: ENTRY, replica: 'a:1' };
        },
        { signal: abandon.signal },
      ),
    ).rejects.toThrow('another unit failed');
    expect(attempts).toBe(0);
  });
});
