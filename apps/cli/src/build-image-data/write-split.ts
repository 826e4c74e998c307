import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { normalizeImage, type NormalizeResult } from '@inception/imaging';
import { TFRecordWriter, buildImageExample, encodeExampleParts, formatRecordIndex, type RecordLocation } from '@inception/tfrecord';

import { nowMicroseconds, processedLine, pythonTimestamp, wroteShardLine, wroteThreadLine } from './console-lines.js';
import { ConversionLog } from './conversion-log.js';
import type { PlannedShard, SplitPlan } from './plan.js';
import type { ShardTarget } from './shard-target.js';

/** A file left out of the shards, with why. */
export interface SkippedFile {
  path: string;
  /** An `ImageRejectReason` of the imaging library, or `unreadable` when the file could not be read. */
  reason: string;
  detail: string;
}

export interface SplitResult {
  written: number;
  skipped: SkippedFile[];
  /** Counts of the kinds of conversion whose files were not all listed, to print before the split's last line. */
  conversionSummary: string[];
}

/** Images written by one thread between two progress lines, as in `build_image_data.py`. */
const PROGRESS_EVERY_IMAGES = 1000;

const timestamp = (): string => pythonTimestamp(nowMicroseconds());

/**
 * Writes the shards of a split with one worker per thread of the plan, each writing its own shards
 * in order and decoding one image at a time, so `numThreads` images are decoded at once. When a
 * worker fails, the others stop at their next image, their unfinished shards are deleted, and the
 * first error is thrown. Shards published before that stay in place.
 */
export async function writeSplit(plan: SplitPlan, target: ShardTarget, print: (line: string) => void): Promise<SplitResult> {
  const stop = new AbortController();
  const skipped: SkippedFile[] = [];
  const conversions = new ConversionLog(print);

  const workers = plan.threadRanges.map(async (_, thread) => {
    try {
      return await writeThread(plan, thread, { target, print, skipped, conversions, signal: stop.signal });
    } catch (error) {
      stop.abort(error);
      throw error;
    }
  });
  const outcomes = await Promise.allSettled(workers);

  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure !== undefined) {
    throw (failure as PromiseRejectedResult).reason;
  }
  const written = outcomes.reduce((total, outcome) => total + (outcome as PromiseFulfilledResult<number>).value, 0);
  return { written, skipped, conversionSummary: conversions.summaryLines() };
}

interface ThreadContext {
  target: ShardTarget;
  print: (line: string) => void;
  skipped: SkippedFile[];
  conversions: ConversionLog;
  signal: AbortSignal;
}

// Writes the shards of one thread and returns how many images it wrote.
async function writeThread(plan: SplitPlan, thread: number, context: ThreadContext): Promise<number> {
  const shards = plan.shards.filter((shard) => shard.threadIndex === thread);
  const [start, end] = plan.threadRanges[thread];
  const progress = { written: 0, filesInThread: end - start };

  for (const shard of shards) {
    context.signal.throwIfAborted();
    const recordCount = await writeShard(shard, thread, progress, context);
    context.print(wroteShardLine(timestamp(), thread, recordCount, context.target.shardLocation(shard.name)));
  }

  context.print(wroteThreadLine(timestamp(), thread, progress.written, shards.length));
  return progress.written;
}

async function writeShard(
  shard: PlannedShard,
  thread: number,
  progress: { written: number; filesInThread: number },
  context: ThreadContext,
): Promise<number> {
  const pending = await context.target.openShard(shard.name);
  const writer = new TFRecordWriter(pending.sink);
  const locations: RecordLocation[] = [];

  try {
    for (const file of shard.files) {
      context.signal.throwIfAborted();
      const image = await loadImage(file.path);
      if (!image.ok) {
        context.skipped.push({ path: file.path, reason: image.reason, detail: image.detail });
        continue;
      }
      if (image.conversion !== 'none') {
        context.conversions.record(image, file.path);
      }

      const recordParts = encodeExampleParts(
        buildImageExample({
          encoded: image.jpegBytes,
          height: image.height,
          width: image.width,
          label: file.label,
          text: file.text,
          filename: path.basename(file.path),
        }),
      );
      locations.push(await writer.write(recordParts));

      progress.written += 1;
      if (progress.written % PROGRESS_EVERY_IMAGES === 0) {
        context.print(processedLine(timestamp(), thread, progress.written, progress.filesInThread));
      }
    }
    await writer.close();
    await pending.publish(formatRecordIndex(locations));
  } catch (error) {
    const cause = error instanceof Error ? error : new Error(String(error));
    writer.destroy(cause);
    await pending.discard(cause);
    throw error;
  }
  return locations.length;
}

// Reads and normalises one file. A file that cannot be read is skipped like a bad image.
async function loadImage(filePath: string): Promise<NormalizeResult | { ok: false; reason: string; detail: string }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(filePath);
  } catch (error) {
    return { ok: false, reason: 'unreadable', detail: (error as Error).message };
  }
  return normalizeImage(bytes);
}
