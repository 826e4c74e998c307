import { planShards, pythonShuffle, shardFileName, type ShardRange } from '@inception/tfrecord';

import type { ImageFile } from './find-files.js';

/** Seed of `build_image_data.py`'s `random.seed(12345)`, set again for each split. */
export const SHUFFLE_SEED = 12345;

export type SplitName = 'train' | 'validation';

/** One shard and the files it receives, in write order. */
export interface PlannedShard extends ShardRange {
  name: string;
  files: ImageFile[];
}

/** Work of one split: the shuffled files cut into each thread's range and into shards. */
export interface SplitPlan {
  split: SplitName;
  numShards: number;
  numThreads: number;
  /** Files after the shuffle. */
  files: ImageFile[];
  /** `[start, end)` positions of each thread in `files`, the "spacings" of the console output. */
  threadRanges: [number, number][];
  shards: PlannedShard[];
}

/**
 * Plans a split as `build_image_data.py` does. The list of positions 0..N-1 is shuffled with
 * CPython's `random.seed(12345)` and `random.shuffle`, and the files are taken in that order.
 * The list is then cut with `numpy.linspace` over the threads, and again over each thread's shards.
 */
export function planSplit(split: SplitName, unshuffled: ImageFile[], numShards: number, numThreads: number): SplitPlan {
  const order = pythonShuffle(
    unshuffled.map((_, position) => position),
    SHUFFLE_SEED,
  );
  const files = order.map((position) => unshuffled[position]);

  const shards = planShards(files.length, numShards, numThreads).map((range) => ({
    ...range,
    name: shardFileName(split, range.shardIndex, numShards),
    files: files.slice(range.start, range.end),
  }));

  const shardsPerThread = numShards / numThreads;
  const threadRanges = Array.from({ length: numThreads }, (_, thread): [number, number] => [
    shards[thread * shardsPerThread].start,
    shards[(thread + 1) * shardsPerThread - 1].end,
  ]);
  return { split, numShards, numThreads, files, threadRanges, shards };
}
