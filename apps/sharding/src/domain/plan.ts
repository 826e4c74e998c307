import { planShards, pythonShuffle, shardFileName } from '@inception/tfrecord';
import { SPLITS, layout, type DatasetManifest, type Split } from '@inception/storage';

export type CompressionName = 'none' | 'gzip' | 'zlib';

export interface ShardSetRequest {
  trainShards: number;
  validationShards: number;
  numThreads: number;
  compression: CompressionName;
  seed: number;
}

/** One WriteShard unit: which images, in which order, go into which shard. */
export interface ShardUnit {
  split: Split;
  shardIndex: number;
  numShards: number;
  imagePositions: number[];
  shardKey: string;
}

/** Names a shard set after every input that changes its bytes, so equal requests share one set. */
export function shardSetId(request: ShardSetRequest): string {
  return `${request.compression}-train${request.trainShards}-validation${request.validationShards}-threads${request.numThreads}-seed${request.seed}`;
}

/**
 * Plans the units as TensorFlow's build_image_data.py does: the split's image list is shuffled
 * with CPython's random.seed(seed) + random.shuffle, then cut with linspace over threads and
 * again over each thread's shards.
 */
export function planShardSet(manifest: DatasetManifest, request: ShardSetRequest): ShardUnit[] {
  const setId = shardSetId(request);
  const units: ShardUnit[] = [];
  for (const split of SPLITS) {
    const numShards = split === 'train' ? request.trainShards : request.validationShards;
    const order = manifest.images[split].map((_, position) => position);
    pythonShuffle(order, request.seed);
    const ranges = planShards(order.length, numShards, request.numThreads);
    for (const [shardIndex, range] of ranges.entries()) {
      units.push({
        split,
        shardIndex,
        numShards,
        imagePositions: order.slice(range.start, range.end),
        shardKey: `${layout.shardSetPrefix(manifest.name, manifest.version, setId)}${shardFileName(split, shardIndex, numShards)}`,
      });
    }
  }
  return units;
}
