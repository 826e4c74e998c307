import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

import { isS3Uri, parseS3Uri, type ObjectStore, type PutResult } from '@inception/storage';
import { indexKeyFor } from '@inception/tfrecord';

import { objectStoreFromEnv } from './object-store-env.js';

/**
 * Bytes a shard file buffers before the writer waits, so that encoding the next records overlaps
 * the file write. Node's 16 KiB default is smaller than one photo.
 */
const FILE_WRITE_BUFFER_BYTES = 1024 * 1024;

/** A shard being written under a temporary name. */
export interface PendingShard {
  /** Stream that receives the framed records. The TFRecord writer ends it. */
  sink: Writable;
  /** Stores the record index, then moves the finished shard to its final name. Call after the sink has finished. */
  publish(indexText: string): Promise<void>;
  /** Destroys the sink and deletes the temporary file or object. */
  discard(error: Error): Promise<void>;
}

/** Result of `ShardTarget.prepare`: what it had to create. */
export interface PreparedTarget {
  /** The bucket that did not exist and was created, with the endpoint it was created at. */
  createdBucket?: { bucket: string; endpoint: string };
}

/** Destination of the shards: a local folder or an `s3://bucket/prefix`. */
export interface ShardTarget {
  /** Creates the folder, or the bucket when it does not exist. */
  prepare(): Promise<PreparedTarget>;
  /** Path or URI of a shard as the console lines print it. */
  shardLocation(shardName: string): string;
  openShard(shardName: string): Promise<PendingShard>;
}

/** Opens `output`, a folder or `s3://bucket/prefix`, reading S3 settings from `env`. */
export function openShardTarget(output: string, env: NodeJS.ProcessEnv): ShardTarget {
  if (!isS3Uri(output)) {
    return new FolderTarget(output);
  }
  const { bucket, key } = parseS3Uri(output);
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  return new ObjectPrefixTarget(objectStoreFromEnv(bucket, output, env), prefix);
}

/**
 * Writes each shard as a hidden file in the output folder and renames it when complete, so the
 * `<split>-*` names only ever show whole shards. Indexes go to `index/<shard>.index`.
 */
class FolderTarget implements ShardTarget {
  constructor(private readonly folder: string) {}

  async prepare(): Promise<PreparedTarget> {
    await mkdir(path.join(this.folder, 'index'), { recursive: true });
    return {};
  }

  shardLocation(shardName: string): string {
    return path.join(this.folder, shardName);
  }

  async openShard(shardName: string): Promise<PendingShard> {
    const attempt = randomUUID();
    const temporaryPath = path.join(this.folder, `.${shardName}.${attempt}.incomplete`);
    const sink = createWriteStream(temporaryPath, { flags: 'wx', highWaterMark: FILE_WRITE_BUFFER_BYTES });

    return {
      sink,
      publish: async (indexText) => {
        const indexPath = path.join(this.folder, 'index', `${shardName}.index`);
        const temporaryIndexPath = path.join(this.folder, 'index', `.${shardName}.index.${attempt}.incomplete`);
        await writeFile(temporaryIndexPath, indexText, { flag: 'wx' });
        await rename(temporaryIndexPath, indexPath);
        await rename(temporaryPath, this.shardLocation(shardName));
      },
      discard: async (error) => {
        sink.destroy(error);
        await finished(sink).catch(() => undefined);
        await rm(temporaryPath, { force: true });
      },
    };
  }
}

/**
 * Uploads each shard to `<prefix>_incomplete/<shard>.<attempt>`, then copies it to its final key
 * and deletes the temporary object, because S3 has no rename. The index is stored first, at
 * `<prefix>index/<shard>.index`, so a reader that finds a shard also finds its index.
 */
class ObjectPrefixTarget implements ShardTarget {
  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
  ) {}

  async prepare(): Promise<PreparedTarget> {
    const created = await this.store.ensureBucket();
    return created ? { createdBucket: { bucket: this.store.bucket, endpoint: this.store.endpoint } } : {};
  }

  shardLocation(shardName: string): string {
    return `s3://${this.store.bucket}/${this.prefix}${shardName}`;
  }

  async openShard(shardName: string): Promise<PendingShard> {
    const finalKey = `${this.prefix}${shardName}`;
    const temporaryKey = `${this.prefix}_incomplete/${shardName}.${randomUUID()}`;
    const sink = new PassThrough();
    const upload: Promise<PutResult> = this.store.put(temporaryKey, sink);
    // The upload stops reading when a request fails. Destroying the sink then fails the writer
    // instead of leaving it waiting for the sink to drain.
    upload.catch((error: unknown) => sink.destroy(error instanceof Error ? error : new Error(String(error))));

    return {
      sink,
      publish: async (indexText) => {
        await upload;
        await this.store.put(indexKeyFor(finalKey), indexText, 'text/plain');
        await this.store.copy(temporaryKey, finalKey);
        await this.store.delete(temporaryKey);
      },
      discard: async (error) => {
        sink.destroy(error);
        await upload.catch(() => undefined);
        await this.store.delete(temporaryKey);
      },
    };
  }
}
