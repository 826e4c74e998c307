import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'minio';
import { StorageError, storageErrorFrom } from './errors.js';
import { uploadStream, type PutResult } from './multipart-upload.js';

export type { PutResult };

export interface ObjectStoreOptions {
  /** S3 endpoint URL, e.g. "http://127.0.0.1:9000". */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  /** Region sent in signatures (default "us-east-1"). */
  region?: string;
  /** Size of one multipart upload part in bytes (default 16 MiB; S3 needs at least 5 MiB). */
  partSizeBytes?: number;
}

export interface ObjectInfo {
  key: string;
  sizeBytes: number;
  lastModified?: Date;
}

const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;

/** Objects in one bucket of any S3-compatible server; keys are relative to that bucket. */
export class ObjectStore {
  readonly bucket: string;
  readonly endpoint: string;
  private readonly client: Client;
  private readonly partSizeBytes: number;

  constructor(options: ObjectStoreOptions) {
    const url = new URL(options.endpoint);
    this.partSizeBytes = options.partSizeBytes ?? 16 * 1024 * 1024;
    if (this.partSizeBytes < MIN_PART_SIZE_BYTES) {
      throw new StorageError('invalid-argument', '', `partSizeBytes ${this.partSizeBytes} is below the S3 minimum of ${MIN_PART_SIZE_BYTES}`);
    }
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      useSSL: url.protocol === 'https:',
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region ?? 'us-east-1',
      pathStyle: true,
    });
    this.bucket = options.bucket;
    this.endpoint = options.endpoint;
  }

  /** Creates the bucket unless it exists. */
  async ensureBucket(): Promise<void> {
    try {
      if (!(await this.client.bucketExists(this.bucket))) {
        await this.client.makeBucket(this.bucket);
      }
    } catch (error) {
      throw storageErrorFrom(error, this.bucket, 'create bucket');
    }
  }

  /** Writes an object from bytes or a stream of any length, returning its size and SHA-256. */
  async put(key: string, body: Uint8Array | string | Readable | AsyncIterable<Uint8Array>, contentType = 'application/octet-stream'): Promise<PutResult> {
    try {
      if (typeof body === 'string' || body instanceof Uint8Array) {
        const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
        await this.client.putObject(this.bucket, key, bytes, bytes.length, { 'Content-Type': contentType });
        return { key, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      }
      return await uploadStream(this.client, this.bucket, key, body, this.partSizeBytes, contentType);
    } catch (error) {
      throw storageErrorFrom(error, key, 'write');
    }
  }

  async putJson(key: string, value: unknown): Promise<PutResult> {
    return this.put(key, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
  }

  /** Opens an object for reading; NOT_FOUND surfaces as a StorageError of kind 'not-found'. */
  async getStream(key: string): Promise<Readable> {
    try {
      return await this.client.getObject(this.bucket, key);
    } catch (error) {
      throw storageErrorFrom(error, key, 'read');
    }
  }

  async getBytes(key: string): Promise<Buffer> {
    const stream = await this.getStream(key);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) {
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      throw storageErrorFrom(error, key, 'read');
    }
    return Buffer.concat(chunks);
  }

  /** Reads an object and checks its SHA-256 (and size, when given) against what a manifest recorded. */
  async getVerified(key: string, expected: { sha256: string; sizeBytes?: number }): Promise<Buffer> {
    const bytes = await this.getBytes(key);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (expected.sizeBytes !== undefined && bytes.length !== expected.sizeBytes) {
      throw new StorageError('integrity', key, `${key}: size ${bytes.length} bytes differs from the recorded ${expected.sizeBytes}`);
    }
    if (sha256 !== expected.sha256) {
      throw new StorageError('integrity', key, `${key}: SHA-256 ${sha256} differs from the recorded ${expected.sha256}`);
    }
    return bytes;
  }

  async getJson<T>(key: string): Promise<T> {
    const bytes = await this.getBytes(key);
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (error) {
      throw new StorageError('integrity', key, `${key}: invalid JSON: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Returns the object's size, or undefined when it does not exist. */
  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const stat = await this.client.statObject(this.bucket, key);
      return { key, sizeBytes: stat.size, lastModified: stat.lastModified };
    } catch (error) {
      const storageError = storageErrorFrom(error, key, 'stat');
      if (storageError.kind === 'not-found') {
        return undefined;
      }
      throw storageError;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  /** Lists objects whose keys start with `prefix`, recursively, in key order. */
  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    try {
      for await (const item of this.client.listObjectsV2(this.bucket, prefix, true)) {
        if (item.name) {
          yield { key: item.name, sizeBytes: item.size, lastModified: item.lastModified };
        }
      }
    } catch (error) {
      throw storageErrorFrom(error, prefix, 'list');
    }
  }

  /** Lists the immediate "folders" under `prefix` (which should end in "/"). */
  async listPrefixes(prefix: string): Promise<string[]> {
    const prefixes: string[] = [];
    try {
      for await (const item of this.client.listObjectsV2(this.bucket, prefix, false)) {
        if (item.prefix) {
          prefixes.push(item.prefix);
        }
      }
    } catch (error) {
      throw storageErrorFrom(error, prefix, 'list');
    }
    return prefixes.sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.removeObject(this.bucket, key);
    } catch (error) {
      const storageError = storageErrorFrom(error, key, 'delete');
      if (storageError.kind !== 'not-found') {
        throw storageError;
      }
    }
  }

  /** Deletes every object under `prefix`, one by one (s3rver's multi-object delete can fail under races). */
  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    for await (const item of this.list(prefix)) {
      await this.delete(item.key);
      deleted += 1;
    }
    return deleted;
  }

  /** Copies an object inside the bucket, streaming through this process so any S3 server works. */
  async copy(sourceKey: string, targetKey: string): Promise<PutResult> {
    const stream = await this.getStream(sourceKey);
    return this.put(targetKey, stream);
  }
}
