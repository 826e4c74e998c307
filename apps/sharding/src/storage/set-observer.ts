import { layout, type ObjectStore } from '@inception/storage';
import { isCoordinatorAlive, progressRecordKey, readProgressRecord, type ProgressRecord } from './progress-record.js';
import { readShardSetManifest, type StoredShardSetManifest } from './shard-objects.js';

/** Result of one look at a shard set's objects. */
export type SetObservation =
  | ({ kind: 'written' } & StoredShardSetManifest)
  /** A record without a manifest: a run that is going on (alive) or one that failed or whose coordinator is gone. */
  | { kind: 'recorded'; record: ProgressRecord; alive: boolean }
  | { kind: 'absent' };

/**
 * Looks at a shard set written by another replica, again and again: its manifest once written,
 * otherwise its progress record. At the first look, a record from another host counts as alive
 * when its time is within `staleMs` of this host's clock. After that it counts as alive while
 * it changes at least once per `staleMs` of this host's time, so clock differences between
 * hosts matter only at the first look.
 */
export class SetObserver {
  private readonly recordKey: string;
  private readonly manifestKey: string;
  private readonly dataset: { name: string; version: number };
  private lastUpdatedAt: string | undefined;
  private lastChangeMs = 0;

  constructor(
    private readonly store: ObjectStore,
    dataset: { name: string; version: number },
    private readonly setId: string,
    private readonly staleMs: number,
  ) {
    this.dataset = dataset;
    this.recordKey = progressRecordKey(layout.shardSetPrefix(dataset.name, dataset.version, setId));
    this.manifestKey = layout.shardSetManifest(dataset.name, dataset.version, setId);
  }

  async observe(): Promise<SetObservation> {
    // The record is read before the manifest: a coordinator deletes its record only after it has
    // written the manifest, so a record gone between the two reads still finds the manifest.
    const record = await readProgressRecord(this.store, this.recordKey);
    if (record) {
      const alive = isCoordinatorAlive(record, (seen) => this.isRecent(seen));
      if (alive) return { kind: 'recorded', record, alive };
    }

    if (await this.store.exists(this.manifestKey)) {
      return { kind: 'written', ...(await readShardSetManifest(this.store, this.dataset, this.setId)) };
    }
    return record ? { kind: 'recorded', record, alive: false } : { kind: 'absent' };
  }

  private isRecent(record: ProgressRecord): boolean {
    const nowMs = Date.now();
    if (this.lastUpdatedAt === undefined) {
      // First look: the record's own time, which a clock ahead of this one cannot put in the future.
      this.lastUpdatedAt = record.updatedAt;
      this.lastChangeMs = Math.min(nowMs, Date.parse(record.updatedAt) || 0);
    } else if (record.updatedAt !== this.lastUpdatedAt) {
      this.lastUpdatedAt = record.updatedAt;
      this.lastChangeMs = nowMs;
    }
    return nowMs - this.lastChangeMs < this.staleMs;
  }
}
