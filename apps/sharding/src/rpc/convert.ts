import type { MessageInitShape } from '@bufbuild/protobuf';
import { Compression, ShardingState, type ShardingProgressSchema, type ShardSchema, type ShardSetSchema } from '@inception/proto';
import { ServiceError } from '@inception/rpc';
import { layout, SPLITS, type ShardEntry, type ShardSetManifest } from '@inception/storage';
import type { CompressionName } from '../domain/plan.js';
import type { ProgressSnapshot, ShardingStateName } from '../domain/progress.js';

export function compressionName(value: Compression, field: string): CompressionName {
  switch (value) {
    case Compression.UNSPECIFIED:
    case Compression.NONE:
      return 'none';
    case Compression.GZIP:
      return 'gzip';
    case Compression.ZLIB:
      return 'zlib';
    default:
      throw ServiceError.invalidArgument(`${field} ${value} is not a known compression (NONE, GZIP, ZLIB)`);
  }
}

export function compressionEnum(name: CompressionName): Compression {
  return name === 'gzip' ? Compression.GZIP : name === 'zlib' ? Compression.ZLIB : Compression.NONE;
}

export function shardMessage(shard: ShardEntry): MessageInitShape<typeof ShardSchema> {
  return {
    split: shard.split,
    shardIndex: shard.shardIndex,
    numShards: shard.numShards,
    object: { key: shard.key, sizeBytes: BigInt(shard.sizeBytes), sha256: shard.sha256 },
    index: { key: shard.indexKey, sizeBytes: BigInt(shard.indexSizeBytes), sha256: shard.indexSha256 },
    records: shard.records,
  };
}

export function shardEntryFrom(message: { split: string; shardIndex: number; numShards: number; records: number; object?: { key: string; sizeBytes: bigint; sha256: string }; index?: { key: string; sizeBytes: bigint; sha256: string } }): ShardEntry {
  return {
    split: message.split === 'validation' ? 'validation' : 'train',
    shardIndex: message.shardIndex,
    numShards: message.numShards,
    key: message.object?.key ?? '',
    sizeBytes: Number(message.object?.sizeBytes ?? 0n),
    sha256: message.object?.sha256 ?? '',
    indexKey: message.index?.key ?? '',
    indexSizeBytes: Number(message.index?.sizeBytes ?? 0n),
    indexSha256: message.index?.sha256 ?? '',
    records: message.records,
  };
}

export function shardSetMessage(manifest: ShardSetManifest, manifestRef: { sizeBytes: number; sha256: string }): MessageInitShape<typeof ShardSetSchema> {
  const records = (split: string) => manifest.shards.filter((shard) => shard.split === split).reduce((sum, shard) => sum + shard.records, 0);
  return {
    dataset: manifest.dataset,
    setId: manifest.setId,
    prefix: layout.shardSetPrefix(manifest.dataset.name, manifest.dataset.version, manifest.setId),
    manifest: { key: layout.shardSetManifest(manifest.dataset.name, manifest.dataset.version, manifest.setId), sizeBytes: BigInt(manifestRef.sizeBytes), sha256: manifestRef.sha256 },
    shards: manifest.shards.map(shardMessage),
    trainRecords: records('train'),
    validationRecords: records('validation'),
    compression: compressionEnum(manifest.compression),
    seed: BigInt(manifest.seed),
    numThreads: manifest.numThreads,
    createdAt: manifest.createdAt,
  };
}

const STATE_ENUMS: Record<ShardingStateName, ShardingState> = {
  running: ShardingState.RUNNING,
  succeeded: ShardingState.SUCCEEDED,
  failed: ShardingState.FAILED,
};

export function progressMessage(progress: ProgressSnapshot): MessageInitShape<typeof ShardingProgressSchema> {
  return {
    dataset: progress.dataset,
    setId: progress.setId,
    state: STATE_ENUMS[progress.state],
    splits: SPLITS.map((split) => ({ split, ...progress.splits[split] })),
    shardsTotal: progress.shardsTotal,
    shardsDone: progress.shardsDone,
    imagesTotal: progress.imagesTotal,
    imagesWritten: progress.imagesWritten,
    bytesWritten: BigInt(progress.bytesWritten),
    imagesPerSecond: progress.imagesPerSecond,
    bytesPerSecond: progress.bytesPerSecond,
    elapsedSeconds: progress.elapsedSeconds,
    unitsInFlight: progress.unitsInFlight,
    attemptsFailed: progress.attemptsFailed,
    attemptsRetried: progress.attemptsRetried,
    error: progress.error ?? '',
  };
}

/** Progress of a set that was written before: complete, with no timing. */
export function finishedProgressMessage(manifest: ShardSetManifest): MessageInitShape<typeof ShardingProgressSchema> {
  const splits = SPLITS.map((split) => {
    const shards = manifest.shards.filter((shard) => shard.split === split);
    const images = shards.reduce((sum, shard) => sum + shard.records, 0);
    return { split, shardsTotal: shards.length, shardsDone: shards.length, imagesTotal: images, imagesWritten: images };
  });
  const images = splits.reduce((sum, split) => sum + split.imagesWritten, 0);
  return {
    dataset: manifest.dataset,
    setId: manifest.setId,
    state: ShardingState.SUCCEEDED,
    splits,
    shardsTotal: manifest.shards.length,
    shardsDone: manifest.shards.length,
    imagesTotal: images,
    imagesWritten: images,
    bytesWritten: BigInt(manifest.shards.reduce((sum, shard) => sum + shard.sizeBytes, 0)),
  };
}
