import { ShardingState, type Shard, type ShardingProgress } from '@inception/proto';
import cliProgress from 'cli-progress';

/**
 * Formats a local time as Python's `str(datetime.now())`, the prefix of build_image_data.py's
 * lines: `YYYY-MM-DD HH:MM:SS.ffffff`, without the fraction when the microseconds are zero.
 */
export function pythonTimestamp(epochMicroseconds: number): string {
  const date = new Date(Math.floor(epochMicroseconds / 1000));
  const microseconds = Math.floor(epochMicroseconds) % 1_000_000;
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');

  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return microseconds === 0 ? `${day} ${time}` : `${day} ${time}.${pad(microseconds, 6)}`;
}

/** Returns the current time in microseconds since the epoch, to the resolution of `performance.now()`. */
export function nowMicroseconds(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** build_image_data.py's line for a written shard; the thread is the one of the original's work split. */
export function wroteShardLine(timestamp: string, thread: number, records: number, key: string): string {
  return `${timestamp} [thread ${thread}]: Wrote ${records} images to ${key}`;
}

/** build_image_data.py's last line for a split, where N counts the split's images. */
export function finishedSplitLine(timestamp: string, images: number): string {
  return `${timestamp}: Finished writing all ${images} images in data set.`;
}

function megabytes(bytes: number | bigint): string {
  return `${(Number(bytes) / 1e6).toFixed(1)} MB`;
}

/** Output of the progress that `inception shard` shows while the set is written. */
export interface ProgressDisplay {
  update(progress: ShardingProgress, finishedShards: readonly Shard[]): void;
  /** Ends the output; `created` is false when the service returned a set that existed. */
  stop(created?: boolean): void;
}

/** Creates a cli-progress bar of shards written, with images, throughput and bytes, for a terminal. */
export function progressBar(stream: NodeJS.WritableStream): ProgressDisplay {
  const bar = new cliProgress.SingleBar(
    {
      format: 'shards {bar} {value}/{total} | {images}/{imagesTotal} images | {rate} images/s | {megabytes}',
      stream,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress) {
      const payload = { images: progress.imagesWritten, imagesTotal: progress.imagesTotal, rate: progress.imagesPerSecond.toFixed(0), megabytes: megabytes(progress.bytesWritten) };
      if (!started) {
        bar.start(progress.shardsTotal, progress.shardsDone, payload);
        started = true;
      } else {
        bar.update(progress.shardsDone, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/**
 * Plain progress lines for logs and pipes: build_image_data.py's line for every shard written by
 * this call. Shards that arrive before the watch saw the set running are held until the call
 * ends, because they may belong to a set that existed before it, which prints no shard lines.
 */
export function progressLines(print: (line: string) => void, numThreads: number): ProgressDisplay {
  let sawRunning = false;
  const held: Shard[] = [];
  const printShards = (shards: readonly Shard[]) => {
    for (const shard of shards) {
      const shardsPerThread = Math.max(1, shard.numShards / numThreads);
      print(wroteShardLine(pythonTimestamp(nowMicroseconds()), Math.floor(shard.shardIndex / shardsPerThread), shard.records, shard.object?.key ?? ''));
    }
  };
  return {
    update(progress, finishedShards) {
      if (progress.state === ShardingState.RUNNING) sawRunning = true;
      if (sawRunning) printShards(finishedShards);
      else held.push(...finishedShards);
    },
    stop(created) {
      if (created) printShards(held.splice(0));
      held.length = 0;
    },
  };
}
