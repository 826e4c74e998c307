import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { buildImageExample, encodeExample, formatRecordIndex, indexKeyFor, TFRecordWriter, type RecordLocation } from '@inception/tfrecord';
import type { ObjectStore, ShardEntry, Split } from '@inception/storage';
import type { DatasetReader } from '../storage/dataset-reader.js';
import type { CompressionName } from './plan.js';

export interface WriteShardUnit {
  dataset: { name: string; version: number };
  split: Split;
  shardIndex: number;
  numShards: number;
  imagePositions: number[];
  shardKey: string;
  compression: CompressionName;
}

/** Thrown when a unit names images or keys that do not fit its dataset; the message names the value. */
export class ShardUnitError extends Error {
  override readonly name = 'ShardUnitError';
}

function temporaryKey(finalKey: string, attempt: string): string {
  return `${path.posix.dirname(finalKey)}/_incomplete/${path.posix.basename(finalKey)}.${attempt}`;
}

/**
 * Writes one shard of `tf.train.Example` records with the keys of TensorFlow's
 * build_image_data.py. The bytes stream into a temporary key, are checked (record count), then
 * copied to the final key and the temporary object deleted; equal units give equal bytes, so a
 * retried or duplicated unit is harmless.
 */
export async function writeShard(store: ObjectStore, datasets: DatasetReader, unit: WriteShardUnit, signal?: AbortSignal): Promise<ShardEntry> {
  const manifest = await datasets.manifest(unit.dataset.name, unit.dataset.version);
  const images = manifest.images[unit.split];
  for (const position of unit.imagePositions) {
    if (!Number.isInteger(position) || position < 0 || position >= images.length) {
      throw new ShardUnitError(`image position ${position} is outside the ${unit.split} split of ${manifest.name} v${manifest.version} (${images.length} images)`);
    }
  }

  const attempt = randomUUID();
  const shardTemporaryKey = temporaryKey(unit.shardKey, attempt);
  const sink = new PassThrough();
  const upload = store.put(shardTemporaryKey, sink);
  const writer = new TFRecordWriter(sink, { compression: unit.compression });
  const locations: RecordLocation[] = [];
  try {
    for (const position of unit.imagePositions) {
      signal?.throwIfAborted();
      const image = images[position]!;
      const encoded = await datasets.image(image.key, image.sha256, image.sizeBytes);
      const example = buildImageExample({
        encoded,
        height: image.height,
        width: image.width,
        label: image.label,
        text: image.className,
        filename: path.posix.basename(image.sourcePath),
      });
      locations.push(await writer.write(encodeExample(example)));
    }
    await writer.close();
  } catch (error) {
    sink.destroy(error as Error);
    await upload.catch(() => undefined);
    await store.delete(shardTemporaryKey);
    throw error;
  }
  const written = await upload;

  if (locations.length !== unit.imagePositions.length) {
    await store.delete(shardTemporaryKey);
    throw new ShardUnitError(`${unit.shardKey}: wrote ${locations.length} records, expected ${unit.imagePositions.length}`);
  }

  const indexKey = indexKeyFor(unit.shardKey);
  const index = await store.put(indexKey, formatRecordIndex(locations), 'text/plain');
  const published = await store.copy(shardTemporaryKey, unit.shardKey);
  await store.delete(shardTemporaryKey);
  if (published.sha256 !== written.sha256) {
    throw new ShardUnitError(`${unit.shardKey}: published SHA-256 ${published.sha256} differs from the written ${written.sha256}`);
  }

  return {
    split: unit.split,
    shardIndex: unit.shardIndex,
    numShards: unit.numShards,
    key: unit.shardKey,
    sizeBytes: published.sizeBytes,
    sha256: published.sha256,
    indexKey,
    indexSizeBytes: index.sizeBytes,
    indexSha256: index.sha256,
    records: locations.length,
  };
}
