import { describe, expect, it } from 'vitest';
import { ShardSetProgress } from './progress.js';
import { RunningShardSets, shardSetKey } from './running-sets.js';

const KEY = shardSetKey({ name: 'd', version: 1 }, 'set');

function progress(): ShardSetProgress {
  return new ShardSetProgress({ name: 'd', version: 1 }, 'set', []);
}

describe('RunningShardSets', () => {
  it('joins a call to the running set', async () => {
    const sets = new RunningShardSets<string>();
    let starts = 0;
    let finish!: (value: string) => void;
    const start = () => {
      starts += 1;
      return new Promise<string>((resolve) => {
        finish = resolve;
      });
    };
    const first = sets.runOnce(KEY, start);
    const second = sets.runOnce(KEY, start);
    finish('written');
    expect(second.joined).toBe(true);
    expect(await second.result).toBe('written');
    expect(await first.result).toBe('written');
    expect(starts).toBe(1);
  });

  it('starts again after the set ended', async () => {
    const sets = new RunningShardSets<string>();
    const announced = progress();
    await sets.runOnce(KEY, async (announce) => {
      announce(announced);
      announced.succeed();
      return 'first';
    }).result;
    const again = sets.runOnce(KEY, async () => 'second');
    expect(again.joined).toBe(false);
    expect(await again.result).toBe('second');
  });

  it('hands a waiting watcher the announced progress', async () => {
    const sets = new RunningShardSets<string>();
    const waiting = sets.waitForStart(KEY, new AbortController().signal);
    const announced = progress();
    sets.runOnce(KEY, async (announce) => {
      announce(announced);
      return 'written';
    });
    expect(await waiting).toBe(announced);
  });

  it('keeps an ended set for late watchers', async () => {
    const sets = new RunningShardSets<string>();
    const announced = progress();
    await sets.runOnce(KEY, async (announce) => {
      announce(announced);
      announced.succeed();
      return 'written';
    }).result;
    expect(sets.progress(KEY)).toBe(announced);
  });

  it('forgets the oldest ended sets beyond the limit', async () => {
    const sets = new RunningShardSets<string>(1);
    for (const setId of ['a', 'b']) {
      const announced = new ShardSetProgress({ name: 'd', version: 1 }, setId, []);
      await sets.runOnce(shardSetKey({ name: 'd', version: 1 }, setId), async (announce) => {
        announce(announced);
        announced.succeed();
        return setId;
      }).result;
    }
    expect(sets.progress(shardSetKey({ name: 'd', version: 1 }, 'a'))).toBeUndefined();
    expect(sets.progress(shardSetKey({ name: 'd', version: 1 }, 'b'))).toBeDefined();
  });

  it('stops waiting when the watcher cancels', async () => {
    const sets = new RunningShardSets<string>();
    const cancel = new AbortController();
    const waiting = sets.waitForStart(KEY, cancel.signal);
    cancel.abort(new Error('client cancelled'));
    await expect(waiting).rejects.toThrow('client cancelled');
  });
});
