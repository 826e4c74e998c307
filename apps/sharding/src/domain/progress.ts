import { SPLITS, type ShardEntry, type Split } from '@inception/storage';
import type { ShardUnit } from './plan.js';
import type { UnitEvent } from './unit-attempts.js';

export type ShardingStateName = 'running' | 'succeeded' | 'failed';

export interface SplitCounts {
  shardsTotal: number;
  shardsDone: number;
  imagesTotal: number;
  imagesWritten: number;
}

export interface ProgressSnapshot {
  dataset: { name: string; version: number };
  setId: string;
  state: ShardingStateName;
  splits: Record<Split, SplitCounts>;
  shardsTotal: number;
  shardsDone: number;
  imagesTotal: number;
  imagesWritten: number;
  bytesWritten: number;
  /** Over the shards published in the last `THROUGHPUT_WINDOW_MS` while running; over the whole run once it ended. */
  imagesPerSecond: number;
  bytesPerSecond: number;
  elapsedSeconds: number;
  unitsInFlight: number;
  attemptsFailed: number;
  attemptsRetried: number;
  error?: string;
}

/** Width of the sliding window that the running throughput is measured over. */
export const THROUGHPUT_WINDOW_MS = 10_000;

/** Live counts of one shard set, fed by unit events; listeners hear about every change. */
export class ShardSetProgress {
  /** Published shards in the order they finished. */
  readonly finishedShards: ShardEntry[] = [];
  private readonly splits: Record<Split, SplitCounts>;
  private readonly startedMs: number;
  private finishedMs: number | undefined;
  private state: ShardingStateName = 'running';
  private error: string | undefined;
  private bytesWritten = 0;
  private unitsInFlight = 0;
  private attemptsFailed = 0;
  private attemptsRetried = 0;
  private readonly recent: Array<{ atMs: number; images: number; bytes: number }> = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly dataset: { name: string; version: number },
    readonly setId: string,
    units: readonly ShardUnit[],
    private readonly nowMs: () => number = Date.now,
  ) {
    this.startedMs = nowMs();
    this.splits = Object.fromEntries(SPLITS.map((split) => [split, { shardsTotal: 0, shardsDone: 0, imagesTotal: 0, imagesWritten: 0 }])) as Record<Split, SplitCounts>;
    for (const unit of units) {
      this.splits[unit.split].shardsTotal += 1;
      this.splits[unit.split].imagesTotal += unit.imagePositions.length;
    }
  }

  get isFinished(): boolean {
    return this.state !== 'running';
  }

  record(event: UnitEvent): void {
    switch (event.outcome) {
      case 'started':
        this.unitsInFlight += 1;
        break;
      case 'retried':
        this.unitsInFlight += 1;
        this.attemptsRetried += 1;
        break;
      case 'failed':
        this.unitsInFlight -= 1;
        this.attemptsFailed += 1;
        break;
      case 'finished': {
        this.unitsInFlight -= 1;
        const counts = this.splits[event.entry.split];
        counts.shardsDone += 1;
        counts.imagesWritten += event.entry.records;
        this.bytesWritten += event.entry.sizeBytes;
        this.finishedShards.push(event.entry);
        this.recent.push({ atMs: this.nowMs(), images: event.entry.records, bytes: event.entry.sizeBytes });
        break;
      }
    }
    this.notify();
  }

  succeed(): void {
    this.finish('succeeded');
  }

  fail(error: unknown): void {
    this.error = error instanceof Error ? error.message : String(error);
    this.finish('failed');
  }

  /** Calls `listener` after every change until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): ProgressSnapshot {
    const nowMs = this.finishedMs ?? this.nowMs();
    const elapsedSeconds = (nowMs - this.startedMs) / 1000;
    const sum = (pick: (counts: SplitCounts) => number) => SPLITS.reduce((total, split) => total + pick(this.splits[split]), 0);
    const imagesWritten = sum((counts) => counts.imagesWritten);

    let imagesPerSecond: number;
    let bytesPerSecond: number;
    if (this.state === 'running') {
      const windowStartMs = nowMs - THROUGHPUT_WINDOW_MS;
      const inWindow = this.recent.filter((entry) => entry.atMs >= windowStartMs);
      const windowSeconds = Math.max(Math.min(THROUGHPUT_WINDOW_MS / 1000, elapsedSeconds), 1e-3);
      imagesPerSecond = inWindow.reduce((total, entry) => total + entry.images, 0) / windowSeconds;
      bytesPerSecond = inWindow.reduce((total, entry) => total + entry.bytes, 0) / windowSeconds;
    } else {
      imagesPerSecond = elapsedSeconds > 0 ? imagesWritten / elapsedSeconds : 0;
      bytesPerSecond = elapsedSeconds > 0 ? this.bytesWritten / elapsedSeconds : 0;
    }

    return {
      dataset: this.dataset,
      setId: this.setId,
      state: this.state,
      splits: { train: { ...this.splits.train }, validation: { ...this.splits.validation } },
      shardsTotal: sum((counts) => counts.shardsTotal),
      shardsDone: sum((counts) => counts.shardsDone),
      imagesTotal: sum((counts) => counts.imagesTotal),
      imagesWritten,
      bytesWritten: this.bytesWritten,
      imagesPerSecond,
      bytesPerSecond,
      elapsedSeconds,
      unitsInFlight: this.unitsInFlight,
      attemptsFailed: this.attemptsFailed,
      attemptsRetried: this.attemptsRetried,
      error: this.error,
    };
  }

  private finish(state: ShardingStateName): void {
    if (this.isFinished) return;
    this.state = state;
    this.finishedMs = this.nowMs();
    this.unitsInFlight = 0;
    this.notify();
  }

  private notify(): void {
    // Drops entries that can no longer fall into the window, so a long run keeps a bounded list.
    const windowStartMs = this.nowMs() - THROUGHPUT_WINDOW_MS;
    while (this.recent.length > 0 && this.recent[0]!.atMs < windowStartMs) this.recent.shift();
    for (const listener of [...this.listeners]) listener();
  }
}
