import type { ShardSetProgress } from './progress.js';

interface Entry<T> {
  progress?: ShardSetProgress;
  result: Promise<T>;
}

/** Key of a shard set in the registry: dataset name, version and set id. */
export function shardSetKey(dataset: { name: string; version: number }, setId: string): string {
  return `${dataset.name}@${dataset.version}/${setId}`;
}

/**
 * The shard sets that ShardDataset calls in this process are writing, and the last few that
 * ended, kept in memory only. A second call for a running set joins it instead of writing the
 * same shards again, and WatchSharding reads progress from here.
 */
export class RunningShardSets<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly finishedKeys: string[] = [];
  private readonly startWaiters = new Map<string, Set<(progress: ShardSetProgress) => void>>();

  /** @param retainFinished Ended sets kept for late watchers (default 64). */
  constructor(private readonly retainFinished = 64) {}

  /**
   * Returns the result of the running set under `key`, or starts one with `start`. `start`
   * receives a function through which it announces the set's progress once it has planned it;
   * a set that ends before announcing (e.g. one that already existed) is not watched.
   */
  runOnce(key: string, start: (announce: (progress: ShardSetProgress) => void) => Promise<T>): { result: Promise<T>; joined: boolean } {
    const running = this.entries.get(key);
    if (running && !running.progress?.isFinished) {
      return { result: running.result, joined: true };
    }

    const entry = {} as Entry<T>;
    const announce = (progress: ShardSetProgress) => {
      entry.progress = progress;
      const waiters = this.startWaiters.get(key);
      this.startWaiters.delete(key);
      for (const waiter of waiters ?? []) waiter(progress);
    };
    entry.result = start(announce);
    this.entries.set(key, entry);
    const retire = () => this.retire(key, entry);
    entry.result.then(retire, retire);
    return { result: entry.result, joined: false };
  }

  /** Returns the progress of the set under `key` if it runs here or ended here recently. */
  progress(key: string): ShardSetProgress | undefined {
    return this.entries.get(key)?.progress;
  }

  /** Resolves with the set's progress once it has started here; rejects when `signal` aborts. */
  waitForStart(key: string, signal: AbortSignal): Promise<ShardSetProgress> {
    const known = this.progress(key);
    if (known) return Promise.resolve(known);

    return new Promise((resolve, reject) => {
      const waiters = this.startWaiters.get(key) ?? new Set();
      this.startWaiters.set(key, waiters);
      const onStart = (progress: ShardSetProgress) => {
        signal.removeEventListener('abort', onAbort);
        resolve(progress);
      };
      const onAbort = () => {
        waiters.delete(onStart);
        if (waiters.size === 0 && this.startWaiters.get(key) === waiters) this.startWaiters.delete(key);
        reject(signal.reason);
      };
      waiters.add(onStart);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
    });
  }

  private retire(key: string, entry: Entry<T>): void {
    if (this.entries.get(key) !== entry) return;
    if (!entry.progress) {
      this.entries.delete(key);
      return;
    }
    this.finishedKeys.push(key);
    while (this.finishedKeys.length > this.retainFinished) {
      const oldest = this.finishedKeys.shift()!;
      const oldEntry = this.entries.get(oldest);
      if (oldEntry?.progress?.isFinished) this.entries.delete(oldest);
    }
  }
}
