import { layout, StorageError, type ObjectStore, type ShardSetManifest, type Split } from '@inception/storage';
import { parseImageExample, readTFRecords } from '@inception/tfrecord';

async function* singleChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** One training or evaluation example as read from a shard. */
export interface LabelledImage {
  jpegBytes: Uint8Array;
  /** Logit index 1..N; 0 is the background class and never appears in shards. */
  label: number;
}

/**
 * Reads a shard set's manifest. When it is missing, throws a not-found StorageError whose
 * message distinguishes a missing dataset version from a missing shard set and names the command that
 * creates the missing one.
 */
export async function loadShardSet(store: ObjectStore, dataset: { name: string; version: number }, setId: string): Promise<ShardSetManifest> {
  const key = layout.shardSetManifest(dataset.name, dataset.version, setId);
  try {
    return await store.getJson<ShardSetManifest>(key);
  } catch (error) {
    if (!(error instanceof StorageError && error.kind === 'not-found')) throw error;

    const datasetKey = layout.datasetManifest(dataset.name, dataset.version);
    if (!(await store.exists(datasetKey))) {
      throw new StorageError(
        'not-found',
        datasetKey,
        `dataset ${dataset.name} has no version ${dataset.version}; list its versions with inception dataset list ${dataset.name}, or import one with inception dataset import`,
        { cause: error },
      );
    }
    throw new StorageError('not-found', key, `shard set "${setId}" of dataset ${dataset.name} v${dataset.version} not found; write it with inception shard --dataset ${dataset.name}@${dataset.version}`, { cause: error });
  }
}

/**
 * Reads every record of one split, verifying each shard's SHA-256 and every record's CRCs.
 * NOTE: the whole split is held in memory, which suits the sample sets; ImageNet-sized splits
 * need the streaming reader fed shard by shard.
 */
export async function readSplit(store: ObjectStore, shardSet: ShardSetManifest, split: Split): Promise<LabelledImage[]> {
  const images: LabelledImage[] = [];
  for (const shard of shardSet.shards.filter((entry) => entry.split === split)) {
    const bytes = await store.getVerified(shard.key, { sha256: shard.sha256, sizeBytes: shard.sizeBytes });
    for await (const record of readTFRecords(singleChunk(bytes), { compression: shardSet.compression, fileName: shard.key })) {
      const example = parseImageExample(record.data);
      images.push({ jpegBytes: example.encoded, label: example.label });
    }
  }
  return images;
}
