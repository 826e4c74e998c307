import type { MessageInitShape } from '@bufbuild/protobuf';
import { Compression, type ShardSchema, type ShardSetSchema } from '@inception/proto';
import { ServiceError } from '@inception/rpc';
import { layout, type ShardEntry, type ShardSetManifest } from '@inception/storage';
import type { CompressionName } from '../domain/plan.js';

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
  };
}
