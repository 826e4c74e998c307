import type { CallContext, RpcLogger } from '@inception/rpc';
import { layout, type ShardEntry } from '@inception/storage';
import { shardSetId, type ShardSetRequest } from '../domain/plan.js';
import { ShardSetProgress } from '../domain/progress.js';
import { RunningShardSets, shardSetKey } from '../domain/running-sets.js';
import { shardDataset, type ShardDatasetResult } from '../domain/shard-dataset.js';
import type { UnitEvent, UnitRunner } from '../domain/unit-attempts.js';
import { writeShard, type WriteShardUnit } from '../domain/write-shard.js';
import type { DatasetReader } from '../storage/dataset-reader.js';
import { DEFAULT_PROGRESS_RECORD_TIMING, progressRecordKey, ProgressRecordWriter, type ProgressRecordTiming } from '../storage/progress-record.js';
import { SetObserver } from '../storage/set-observer.js';
import type { ShardingDependencies } from './handlers.js';
import { waitForOtherCoordinator } from './remote-progress.js';
import { localUnitRunner, remoteUnitRunner } from './unit-runners.js';
import { WorkerChannel } from './worker-channel.js';

const DEFAULT_RETRY_BACKOFF_MS = 500;
const MAX_RETRY_BACKOFF_MS = 30_000;

/**
 * Runs ShardDataset calls: one run per shard set in this process, units sent to the replicas or
 * written here, and metrics and logs for every unit attempt. A second call for a running set
 * joins it, and a call for a set that another replica runs waits for that run. Progress is kept
 * for WatchSharding here and in the set's progress record for the other replicas.
 */
export class ShardSetCoordinator {
  readonly sets = new RunningShardSets<ShardDatasetResult>();
  readonly recordTiming: ProgressRecordTiming;
  private readonly workers: WorkerChannel | undefined;
  private readonly runUnit: UnitRunner;

  constructor(
    private readonly dependencies: ShardingDependencies,
    private readonly datasets: DatasetReader,
    isPermanentUnitError: (error: unknown) => boolean,
  ) {
    this.recordTiming = { ...DEFAULT_PROGRESS_RECORD_TIMING, ...dependencies.progressRecordTiming };
    if (dependencies.workersTarget) {
      this.workers = new WorkerChannel(dependencies.workersTarget, dependencies.workerChannel);
      this.runUnit = remoteUnitRunner(this.workers);
    } else {
      this.runUnit = localUnitRunner((unit, signal) => this.writeUnit(unit, signal), isPermanentUnitError);
    }
  }

  /** Writes one unit in this process, with this replica's metrics. */
  async writeUnit(unit: WriteShardUnit, signal: AbortSignal, logger?: RpcLogger): Promise<ShardEntry> {
    const { metrics } = this.dependencies;
    metrics.inFlight.inc();
    const stopTimer = metrics.unitSeconds.startTimer();
    try {
      const entry = await writeShard(this.dependencies.store, this.datasets, unit, {
        signal,
        readAheadImages: this.dependencies.readAheadImages,
        onTemporaryObjectLeft: (key, error) => logger?.warn({ key, err: error }, 'temporary shard object not deleted; the shard set clean-up removes it'),
      });
      metrics.records.inc(entry.records);
      metrics.bytes.inc(entry.sizeBytes);
      metrics.shardsWritten.inc();
      return entry;
    } catch (error) {
      metrics.writeFailures.inc();
      throw error;
    } finally {
      stopTimer();
      metrics.inFlight.dec();
    }
  }

  /**
   * Writes the shard set, or joins the run of the same set in this process. A joined call gets
   * the result of the first call, whose deadline and cancellation govern the run.
   */
  shardDataset(name: string, version: number, request: ShardSetRequest, context: CallContext): Promise<ShardDatasetResult> {
    const setId = shardSetId(request);
    const { result, joined } = this.sets.runOnce(shardSetKey({ name, version }, setId), (announce) => this.run(name, version, request, context, announce));
    if (joined) context.logger.info({ dataset: name, version, setId }, 'joined the running shard set');
    return result;
  }

  close(): void {
    this.workers?.close();
  }

  private async run(name: string, version: number, request: ShardSetRequest, context: CallContext, announce: (progress: ShardSetProgress) => void): Promise<ShardDatasetResult> {
    const { metrics } = this.dependencies;
    const setId = shardSetId(request);
    const logger = context.logger.child({ dataset: name, version, setId });
    const manifest = await this.datasets.manifest(name, version);

    // NOTE: two calls on different replicas that start within one object-store round trip both
    // find no record and both run the set. Their shards are byte-identical, and the second run
    // keeps the first manifest unless both finish at the same moment.
    const observer = new SetObserver(this.dependencies.store, { name, version }, setId, this.recordTiming.staleMs);
    await waitForOtherCoordinator(observer, context.signal, this.recordTiming.pollMs, (record) => {
      logger.info({ coordinator: `${record.host}:${record.pid}`, shardsDone: record.progress.shardsDone, shardsTotal: record.progress.shardsTotal }, 'waiting for the run of this shard set on another replica');
    });

    let progress: ShardSetProgress | undefined;
    let recordWriter: ProgressRecordWriter | undefined;
    const onUnitEvent = (event: UnitEvent) => {
      metrics.units.inc({ outcome: event.outcome });
      progress?.record(event);
      if (event.outcome === 'failed') {
        logger.warn({ shard: event.unit.shardKey, attempt: event.attempt, replica: event.replica, err: event.error }, 'shard unit attempt failed');
      } else if (event.outcome === 'retried') {
        logger.info({ shard: event.unit.shardKey, attempt: event.attempt }, 'retrying shard unit');
      }
    };
    try {
      const result = await shardDataset(this.dependencies.store, manifest, request, {
        runUnit: this.runUnit,
        concurrency: this.dependencies.concurrency,
        attempts: this.dependencies.unitAttempts,
        unitTimeoutMs: this.dependencies.unitTimeoutMs,
        retryBackoffMs: this.dependencies.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS,
        maxRetryBackoffMs: MAX_RETRY_BACKOFF_MS,
        deadlineMs: context.deadlineMs,
        signal: context.signal,
        onPlanned: (units) => {
          progress = new ShardSetProgress({ name, version }, setId, units);
          recordWriter = new ProgressRecordWriter(this.dependencies.store, progressRecordKey(layout.shardSetPrefix(name, version, setId)), progress, this.recordTiming, (error) => {
            logger.warn({ err: error }, 'progress record not written; WatchSharding on other replicas shows older progress');
          });
          metrics.setsRunning.inc();
          logger.info({ units: units.length, workers: this.workers?.target ?? 'this process' }, 'writing shard set');
          announce(progress);
        },
        onUnitEvent,
        onIncompleteRemoved: (count) => {
          metrics.temporaryObjectsRemoved.inc(count);
          logger.info({ count }, 'removed temporary objects of attempts that did not finish');
        },
      });
      progress?.succeed();
      return result;
    } catch (error) {
      progress?.fail(error);
      throw error;
    } finally {
      await recordWriter?.finish();
      if (progress) metrics.setsRunning.dec();
    }
  }
}
