import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isProcessRunning } from '@inception/rpc';
import { StorageError, type ObjectStore, type ShardEntry } from '@inception/storage';
import type { ProgressSnapshot, ShardSetProgress } from '../domain/progress.js';

/**
 * Name of the object beside a running shard set's shards that contains its progress. The leading
 * underscore keeps it out of the `<split>-*` glob that readers of a shard folder use.
 */
export const PROGRESS_RECORD_NAME = '_progress.json';

/**
 * The progress of a shard set as its coordinating replica last wrote it, so that every replica
 * can stream it to WatchSharding and a second coordinator can wait for the first one instead of
 * writing the same shards again. Deleted once the set's manifest is written; a failed run leaves
 * it with state "failed" until the set is asked for again.
 */
export interface ProgressRecord {
  formatVersion: 1;
  /** Identifies one run of the set, so a process can tell its own runs from others'. */
  runId: string;
  host: string;
  pid: number;
  /** When the coordinator wrote this record, as an ISO date. */
  updatedAt: string;
  progress: ProgressSnapshot;
  /** Published shards in the order they finished. */
  finishedShards: ShardEntry[];
}

export interface ProgressRecordTiming {
  /** Shortest time between two writes of the record, in milliseconds (default 1,000). */
  intervalMs: number;
  /** Time after which the record is written again even without progress, in milliseconds (default 2,000). */
  heartbeatMs: number;
  /**
   * Time without a new record after which a coordinator on another host counts as gone, in
   * milliseconds (default 20,000): ten missed heartbeats, so a slow object store is not mistaken for it.
   */
  staleMs: number;
  /** Time between two reads of another coordinator's record, in milliseconds (default 1,000). */
  pollMs: number;
}

export const DEFAULT_PROGRESS_RECORD_TIMING: ProgressRecordTiming = { intervalMs: 1_000, heartbeatMs: 2_000, staleMs: 20_000, pollMs: 1_000 };

/** Runs coordinated by this process, by run id: their records are alive whatever their age. */
const runsInThisProcess = new Set<string>();

export function progressRecordKey(setPrefix: string): string {
  return `${setPrefix}${PROGRESS_RECORD_NAME}`;
}

/** Reads the record under `key`; undefined when there is none. */
export async function readProgressRecord(store: ObjectStore, key: string): Promise<ProgressRecord | undefined> {
  try {
    return await store.getJson<ProgressRecord>(key);
  } catch (error) {
    if (error instanceof StorageError && error.kind === 'not-found') return undefined;
    throw error;
  }
}

/**
 * Tells whether the coordinator that wrote `record` still runs the set. On this host the
 * process itself is asked: a record written by this very process id (a container restarted as
 * pid 1, say) is a dead predecessor's. A coordinator on another host is judged by
 * `isRecentElsewhere`, which measures how long ago the record last changed.
 */
export function isCoordinatorAlive(record: ProgressRecord, isRecentElsewhere: (record: ProgressRecord) => boolean): boolean {
  if (record.progress.state !== 'running') return false;
  if (runsInThisProcess.has(record.runId)) return true;
  if (record.host === hostname()) return record.pid !== process.pid && isProcessRunning(record.pid);
  return isRecentElsewhere(record);
}

/** Describes the coordinator of a running set as gone, and how to finish the set. */
export function goneCoordinatorMessage(record: ProgressRecord): string {
  return `its coordinator ${record.host}:${record.pid} last reported progress at ${record.updatedAt} and is gone; send ShardDataset again to finish the set`;
}

/**
 * Writes the progress record of a set that this process coordinates: at once, then at most once
 * per interval while shards finish, and at every heartbeat. A failed write goes to `onError`
 * instead of failing the set, and the next write tries again.
 */
export class ProgressRecordWriter {
  readonly runId = randomUUID();
  private changed = true;
  private lastWriteMs = 0;
  private writing: Promise<void> = Promise.resolve();
  private isWriting = false;
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly key: string,
    private readonly progress: ShardSetProgress,
    private readonly timing: Pick<ProgressRecordTiming, 'intervalMs' | 'heartbeatMs'>,
    private readonly onError: (error: unknown) => void,
  ) {
    runsInThisProcess.add(this.runId);
    this.unsubscribe = progress.subscribe(() => {
      this.changed = true;
    });
    this.timer = setInterval(() => this.tick(), Math.min(timing.intervalMs, timing.heartbeatMs));
    this.timer.unref();
    this.write();
  }

  /**
   * Stops writing. A set that succeeded has its manifest, so its record is deleted. A failed
   * set's record is written once more with its error and kept for watchers on other replicas.
   */
  async finish(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe();
    const succeeded = this.progress.snapshot().state === 'succeeded';
    if (succeeded) {
      this.writing = this.writing.then(() => this.store.delete(this.key)).catch(this.onError);
    } else {
      this.write();
    }
    await this.writing;
    runsInThisProcess.delete(this.runId);
  }

  private tick(): void {
    // A slow object store gets no second write queued behind the one it is taking.
    if (this.isWriting) return;
    const sinceWriteMs = Date.now() - this.lastWriteMs;
    if ((this.changed && sinceWriteMs >= this.timing.intervalMs) || sinceWriteMs >= this.timing.heartbeatMs) this.write();
  }

  /** Queues a write of the current progress behind the previous one. */
  private write(): void {
    this.changed = false;
    this.lastWriteMs = Date.now();
    const record: ProgressRecord = {
      formatVersion: 1,
      runId: this.runId,
      host: hostname(),
      pid: process.pid,
      updatedAt: new Date().toISOString(),
      progress: this.progress.snapshot(),
      finishedShards: [...this.progress.finishedShards],
    };
    this.isWriting = true;
    this.writing = this.writing
      .then(async () => {
        await this.store.putJson(this.key, record);
      })
      .catch(this.onError)
      .finally(() => {
        this.isWriting = false;
      });
  }
}
