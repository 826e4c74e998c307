import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { DatasetImage, ObjectStore, ShardEntry, Split } from '@inception/storage';
import { buildImageExample, encodeExample, formatRecordIndex, indexKeyFor, TFRecordWriter, type RecordLocation } from '@inception/tfrecord';
import type { DatasetReader } from '../storage/dataset-reader.js';
import { temporaryShardKey } from '../storage/shard-objects.js';
import type { CompressionName } from './plan.js';
import { readAhead } from './read-ahead.js';
import { ShardIntegrityError, verifyShardObject } from './verify-shard.js';

export interface WriteShardUnit {
  dataset: { name: string; version: number };
  split: Split;
  shardIndex: number;
  numShards: number;
  imagePositions: number[];
  shardKey: string;
  compression: CompressionName;
}

export interface WriteShardOptions {
  /** Aborts the unit between records, e.g. when the caller cancels or its deadline passes. */
  signal?: AbortSignal;
  /** Images downloaded ahead of the record being written (default 16). */
  readAheadImages?: number;
  /** Called when the temporary object could not be deleted; the set's clean-up removes it later. */
  onTemporaryObjectLeft?: (key: string, error: unknown) => void;
}

/** Thrown when a unit names images or keys that do not fit its dataset; the message names the value. */
export class ShardUnitError extends Error {
  override readonly name = 'ShardUnitError';
}

const DEFAULT_READ_AHEAD_IMAGES = 16;

interface WrittenShard {
  sizeBytes: number;
  sha256: string;
  locations: RecordLocation[];
}

/** Streams the unit's records into `key` and returns what the store was sent. */
async function writeRecords(store: ObjectStore, datasets: DatasetReader, images: DatasetImage[], unit: WriteShardUnit, key: string, options: WriteShardOptions): Promise<WrittenShard> {
  const sink = new PassThrough();
  const upload = store.put(key, sink);
  // An upload that fails stops reading the sink; destroying it lets a waiting write fail too.
  upload.catch((error: Error) => sink.destroy(error));
  const writer = new TFRecordWriter(sink, { compression: unit.compression });
  const locations: RecordLocation[] = [];

  const fetchImage = async (image: DatasetImage) => ({ image, encoded: await datasets.image(image) });
  try {
    for await (const { image, encoded } of readAhead(images, options.readAheadImages ?? DEFAULT_READ_AHEAD_IMAGES, fetchImage)) {
      options.signal?.throwIfAborted();
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
    writer.destroy(error instanceof Error ? error : undefined);
    await upload.catch(() => undefined);
    throw error;
  }

  const written = await upload;
  return { sizeBytes: written.sizeBytes, sha256: written.sha256, locations };
}

/**
 * Writes one shard of `tf.train.Example` records with the keys of TensorFlow's
 * build_image_data.py. The bytes go to a temporary key first and are read back and checked
 * (size, SHA-256, record count, record CRCs) before the shard is copied to its final key and
 * its record index written. The records depend only on the unit, so a retried or duplicated
 * unit writes the same bytes. The temporary object is deleted on success (without waiting) and
 * on failure. Only a process that dies mid-unit leaves it, for the set's clean-up to remove.
 */
export async function writeShard(store: ObjectStore, datasets: DatasetReader, unit: WriteShardUnit, options: WriteShardOptions = {}): Promise<ShardEntry> {
  const manifest = await datasets.manifest(unit.dataset.name, unit.dataset.version);
  const splitImages = manifest.images[unit.split];
  for (const position of unit.imagePositions) {
    if (!Number.isInteger(position) || position < 0 || position >= splitImages.length) {
      throw new ShardUnitError(`image position ${position} is outside the ${unit.split} split of ${manifest.name} v${manifest.version} (${splitImages.length} images)`);
    }
  }
  const images = unit.imagePositions.map((position) => splitImages[position]!);

  const temporaryKey = temporaryShardKey(unit.shardKey, randomUUID());
  let isPublished = false;
  try {
    const written = await writeRecords(store, datasets, images, unit, temporaryKey, options);
    options.signal?.throwIfAborted();
    await verifyShardObject(store, temporaryKey, { sizeBytes: written.sizeBytes, sha256: written.sha256, records: images.length, compression: unit.compression });

    const indexKey = indexKeyFor(unit.shardKey);
    const index = await store.put(indexKey, formatRecordIndex(written.locations), 'text/plain');
    options.signal?.throwIfAborted();
    const published = await store.copy(temporaryKey, unit.shardKey);
    // A mismatch leaves a wrong object under the final key; the retry of this unit overwrites it.
    if (published.sha256 !== written.sha256 || published.sizeBytes !== written.sizeBytes) {
      throw new ShardIntegrityError(`${unit.shardKey}: published ${published.sizeBytes} bytes with SHA-256 ${published.sha256}, but ${written.sizeBytes} bytes with SHA-256 ${written.sha256} were written`);
    }

    isPublished = true;
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
      records: written.locations.length,
    };
  } finally {
    const removal = store.delete(temporaryKey).catch((error: unknown) => options.onTemporaryObjectLeft?.(temporaryKey, error));
    // A published shard does not wait for the deletion, which the store may retry for a while.
    // If this deletion fails, the set's clean-up after its manifest removes the object.
    if (!isPublished) await removal;
  }
}
