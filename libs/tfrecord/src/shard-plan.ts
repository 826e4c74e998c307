/** One output shard of a split and the slice of the shuffled file list that it contains. */
export interface ShardRange {
  /** Global shard id, 0 to numShards - 1. */
  shardIndex: number;
  /** Writer thread that produces the shard. */
  threadIndex: number;
  /** First position in the shuffled file list, inclusive. */
  start: number;
  /** End position in the shuffled file list, exclusive. */
  end: number;
}

/**
 * Names a shard as `build_image_data.py` does: `<split>-<shard>-of-<numShards>`, both numbers
 * zero-padded to at least five digits, with no extension (`train-00000-of-00002`).
 */
export function shardFileName(split: string, shardIndex: number, numShards: number): string {
  requireInteger('shardFileName', 'numShards', numShards, 1);
  requireInteger('shardFileName', 'shardIndex', shardIndex, 0);
  if (shardIndex >= numShards) {
    throw new RangeError(`shardFileName: shardIndex ${shardIndex} must be below numShards ${numShards}`);
  }
  return `${split}-${String(shardIndex).padStart(5, '0')}-of-${String(numShards).padStart(5, '0')}`;
}

/**
 * Returns `num` evenly spaced float64 values from `start` to `stop` inclusive, bit-identical to
 * `numpy.linspace(start, stop, num)`: value i is `start + i * step` with
 * `step = (stop - start) / (num - 1)`, and the last value is set to `stop` exactly.
 */
export function numpyLinspace(start: number, stop: number, num: number): number[] {
  requireInteger('numpyLinspace', 'num', num, 0);
  if (num <= 1) {
    return num === 0 ? [] : [start];
  }

  const step = (stop - start) / (num - 1);
  const values = Array.from({ length: num }, (_, i) => i * step + start);
  values[num - 1] = stop;
  return values;
}

/**
 * Splits `numImages` shuffled files into `numShards` shards the way `build_image_data.py` does:
 * the list is cut among threads at `numpy.linspace(0, numImages, numThreads + 1)` truncated to
 * integers, and each thread cuts its range at `linspace(start, end, shardsPerThread + 1)`
 * truncated. Shard id is `threadIndex * shardsPerThread + s`. The result is indexed by shard id.
 */
export function planShards(numImages: number, numShards: number, numThreads: number): ShardRange[] {
  requireInteger('planShards', 'numImages', numImages, 0);
  requireInteger('planShards', 'numShards', numShards, 1);
  requireInteger('planShards', 'numThreads', numThreads, 1);
  if (numShards % numThreads !== 0) {
    throw new RangeError(
      `planShards: numShards ${numShards} is not a multiple of numThreads ${numThreads}; ` +
        'choose a thread count that divides the shard count',
    );
  }

  const shardsPerThread = numShards / numThreads;
  const threadBounds = numpyLinspace(0, numImages, numThreads + 1).map(Math.trunc);

  const shards: ShardRange[] = [];
  for (let threadIndex = 0; threadIndex < numThreads; threadIndex++) {
    const shardBounds = numpyLinspace(threadBounds[threadIndex], threadBounds[threadIndex + 1], shardsPerThread + 1).map(
      Math.trunc,
    );
    for (let s = 0; s < shardsPerThread; s++) {
      shards.push({
        shardIndex: threadIndex * shardsPerThread + s,
        threadIndex,
        start: shardBounds[s],
        end: shardBounds[s + 1],
      });
    }
  }
  return shards;
}

function requireInteger(functionName: string, name: string, value: number, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`${functionName}: ${name} must be an integer of at least ${minimum}, got ${value}`);
  }
}
