import type { ShardEntry } from '@inception/storage';
import { describe, expect, it } from 'vitest';
import type { ShardUnit } from './plan.js';
import { ShardSetProgress, THROUGHPUT_WINDOW_MS } from './progress.js';

const UNITS: ShardUnit[] = [
  { split: 'train', shardIndex: 0, numShards: 2, imagePositions: [0, 1, 2], shardKey: 'k/train-00000-of-00002' },
  { split: 'train', shardIndex: 1, numShards: 2, imagePositions: [3, 4], shardKey: 'k/train-00001-of-00002' },
  { split: 'validation', shardIndex: 0, numShards: 1, imagePositions: [0], shardKey: 'k/validation-00000-of-00001' },
];

function entry(unit: ShardUnit, sizeBytes: number): ShardEntry {
  return { split: unit.split, shardIndex: unit.shardIndex, numShards: unit.numShards, key: unit.shardKey, sizeBytes, sha256: '', indexKey: '', indexSizeBytes: 0, indexSha256: '', records: unit.imagePositions.length };
}

function progressAt(clock: { nowMs: number }) {
  return new ShardSetProgress({ name: 'd', version: 1 }, 'set', UNITS, () => clock.nowMs);
}

describe('ShardSetProgress', () => {
  it('counts planned shards and images per split', () => {
    const snapshot = progressAt({ nowMs: 0 }).snapshot();
    expect(snapshot.splits.train).toEqual({ shardsTotal: 2, shardsDone: 0, imagesTotal: 5, imagesWritten: 0 });
    expect(snapshot.splits.validation).toEqual({ shardsTotal: 1, shardsDone: 0, imagesTotal: 1, imagesWritten: 0 });
  });

  it('counts finished shards, images and bytes', () => {
    const progress = progressAt({ nowMs: 0 });
    progress.record({ outcome: 'started', unit: UNITS[0]!, attempt: 1 });
    progress.record({ outcome: 'finished', unit: UNITS[0]!, attempt: 1, replica: 'a', entry: entry(UNITS[0]!, 300) });
    const snapshot = progress.snapshot();
    expect(snapshot.shardsDone).toBe(1);
    expect(snapshot.imagesWritten).toBe(3);
    expect(snapshot.bytesWritten).toBe(300);
    expect(snapshot.unitsInFlight).toBe(0);
  });

  it('counts failed and retried attempts', () => {
    const progress = progressAt({ nowMs: 0 });
    progress.record({ outcome: 'started', unit: UNITS[1]!, attempt: 1 });
    progress.record({ outcome: 'failed', unit: UNITS[1]!, attempt: 1, error: new Error('timed out') });
    progress.record({ outcome: 'retried', unit: UNITS[1]!, attempt: 2 });
    const snapshot = progress.snapshot();
    expect(snapshot.attemptsFailed).toBe(1);
    expect(snapshot.attemptsRetried).toBe(1);
    expect(snapshot.unitsInFlight).toBe(1);
  });

  it('measures throughput over the recent window while running', () => {
    const clock = { nowMs: 0 };
    const progress = progressAt(clock);
    clock.nowMs = 1_000;
    progress.record({ outcome: 'finished', unit: UNITS[0]!, attempt: 1, replica: 'a', entry: entry(UNITS[0]!, 300) });
    clock.nowMs = THROUGHPUT_WINDOW_MS + 2_000;
    progress.record({ outcome: 'finished', unit: UNITS[1]!, attempt: 1, replica: 'a', entry: entry(UNITS[1]!, 200) });
    const snapshot = progress.snapshot();
    expect(snapshot.imagesPerSecond).toBeCloseTo(2 / (THROUGHPUT_WINDOW_MS / 1000));
    expect(snapshot.bytesPerSecond).toBeCloseTo(200 / (THROUGHPUT_WINDOW_MS / 1000));
  });

  it('reports the whole run once it succeeded', () => {
    const clock = { nowMs: 0 };
    const progress = progressAt(clock);
    for (const unit of UNITS) progress.record({ outcome: 'finished', unit, attempt: 1, replica: 'a', entry: entry(unit, 100) });
    clock.nowMs = 2_000;
    progress.succeed();
    clock.nowMs = 9_000;
    const snapshot = progress.snapshot();
    expect(snapshot.state).toBe('succeeded');
    expect(snapshot.elapsedSeconds).toBe(2);
    expect(snapshot.imagesPerSecond).toBe(3);
  });

  it('keeps the error of a failed set', () => {
    const progress = progressAt({ nowMs: 0 });
    progress.fail(new Error('shard k/train-00000-of-00002 failed after 3 attempt(s)'));
    expect(progress.snapshot().state).toBe('failed');
    expect(progress.snapshot().error).toBe('shard k/train-00000-of-00002 failed after 3 attempt(s)');
  });

  it('notifies listeners until they unsubscribe', () => {
    const progress = progressAt({ nowMs: 0 });
    let calls = 0;
    const unsubscribe = progress.subscribe(() => {
      calls += 1;
    });
    progress.record({ outcome: 'started', unit: UNITS[0]!, attempt: 1 });
    unsubscribe();
    progress.record({ outcome: 'started', unit: UNITS[1]!, attempt: 1 });
    expect(calls).toBe(1);
  });
});
