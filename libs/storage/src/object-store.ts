import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'minio';
import { StorageError, storageErrorFrom } from './errors.js';
import { uploadStream, type PutResult } from './multipart-upload.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryEvent, type RetryPolicy } from './retry.js';

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
  /**
   * Attempts per idempotent request (default 5): reads, stat, list, delete, copy and puts of a
   * whole buffer are repeated after connection errors and 5xx responses. Puts of a stream are not.
   */
  maxAttempts?: number;
  /** Backoff of those retries; `maxAttempts` overrides its attempt count. */
  retryPolicy?: Partial<RetryPolicy>;
  /** Called before each retry, so the caller can log it. */
  onRetry?: (event: RetryEvent) => void;
}

/** The digest and size a manifest recorded of an object, or of a byte range inside one, to check a read against. */
export interface VerifiedRead {
  sha256: string;
  sizeBytes?: number;
  /** Offset of the recorded bytes inside the object; `sizeBytes` is then required. */
  offsetBytes?: number;
}

/**
 * Checks bytes read from `key` (from `expected.offsetBytes` when given) against the size and
 * SHA-256 a manifest recorded, and throws an `integrity` StorageError naming them when they differ.
 */
export function verifyRecorded(key: string, bytes: Uint8Array, expected: VerifiedRead): void {
  const what = expected.offsetBytes === undefined ? key : `${key} at offset ${expected.offsetBytes}`;
  if (expected.sizeBytes !== undefined && bytes.length !== expected.sizeBytes) {
    throw new StorageError('integrity', key, `${what}: size ${bytes.length} bytes differs from the recorded ${expected.sizeBytes}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== expected.sha256) {
    throw new StorageError('integrity', key, `${what}: SHA-256 ${sha256} differs from the recorded ${expected.sha256}`);
  }
}

export interface ObjectInfo {
  key: string;
  sizeBytes: number;
  lastModified?: Date;
  /** The server's entity tag; it changes whenever the object is written again. Absent in listings. */
  etag?: string;
}

const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;

/** Reads of a JSON object before invalid JSON counts as damage rather than a read during an overwrite. */
const TORN_READ_ATTEMPTS = 3;
/** Wait before the second read of such an object, in ms; the third waits twice as long. */
const TORN_READ_WAIT_MS = 50;

/** Objects `list` reads per retryable step; S3 returns at most 1000 keys per ListObjectsV2 page. */
const LIST_PAGE_OBJECTS = 1000;

/** Objects in one bucket of any S3-compatible server; keys are relative to that bucket. */
export class ObjectStore {
  readonly bucket: string;
  readonly endpoint: string;
  private readonly client: Client;
  private readonly partSizeBytes: number;
  private readonly retryPolicy: RetryPolicy;
  private readonly onRetry?: (event: RetryEvent) => void;

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
      // minio-js would retry 5xx responses once more and print to the console; `retry` does it here.
      retryOptions: { disableRetry: true },
    });
    this.bucket = options.bucket;
    this.endpoint = options.endpoint;
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy, ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}) };
    if (!Number.isInteger(this.retryPolicy.maxAttempts) || this.retryPolicy.maxAttempts < 1) {
      throw new StorageError('invalid-argument', '', `maxAttempts ${this.retryPolicy.maxAttempts} is invalid: use a positive integer`);
    }
    this.onRetry = options.onRetry;
  }

  /** Runs an idempotent request under the store's retry policy. */
  private retry<T>(operation: string, key: string, work: () => Promise<T>): Promise<T> {
    return withRetry(operation, key, this.retryPolicy, work, this.onRetry);
  }

  /** Creates the bucket unless it exists; returns true when this call created it. */
  async ensureBucket(): Promise<boolean> {
    return this.retry('ensureBucket', this.bucket, async () => {
      try {
        if (await this.client.bucketExists(this.bucket)) return false;
        await this.client.makeBucket(this.bucket);
        return true;
      } catch (error) {
        throw storageErrorFrom(error, this.bucket, 'create bucket');
      }
    });
  }

  /**
   * Writes an object from bytes or a stream of any length, returning its size and SHA-256. Bytes
   * are sent again after a retryable failure; a stream is sent once, since it cannot be replayed.
   */
  async put(key: string, body: Uint8Array | string | Readable | AsyncIterable<Uint8Array>, contentType = 'application/octet-stream'): Promise<PutResult> {
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      return this.retry('put', key, async () => {
        try {
          await this.client.putObject(this.bucket, key, bytes, bytes.length, { 'Content-Type': contentType });
        } catch (error) {
          throw storageErrorFrom(error, key, 'write');
        }
        return { key, sizeBytes: bytes.length, sha256 };
      });
    }
    try {
      return await uploadStream(this.client, this.bucket, key, body, this.partSizeBytes, contentType, (step, work) => this.retry(step, key, work));
    } catch (error) {
      throw storageErrorFrom(error, key, 'write');
    }
  }

  async putJson(key: string, value: unknown): Promise<PutResult> {
    return this.put(key, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
  }

  /**
   * Opens an object for reading; NOT_FOUND surfaces as a StorageError of kind 'not-found'.
   * Opening is retried; a failure while the caller reads the stream is not.
   */
  async getStream(key: string): Promise<Readable> {
    return this.retry('getStream', key, () => this.openStream(key));
  }

  private async openStream(key: string): Promise<Readable> {
    try {
      return await this.client.getObject(this.bucket, key);
    } catch (error) {
      throw storageErrorFrom(error, key, 'read');
    }
  }

  /** Reads a whole object; a read cut off halfway starts again from the first byte. */
  async getBytes(key: string): Promise<Buffer> {
    return this.retry('getBytes', key, () => this.readAll(key, () => this.openStream(key)));
  }

  /**
   * Reads `lengthBytes` bytes of an object from `offsetBytes` with one ranged GET; a read cut off
   * halfway starts again. A range past the end of the object fails as `integrity`.
   */
  async getRange(key: string, offsetBytes: number, lengthBytes: number): Promise<Buffer> {
    if (!Number.isSafeInteger(offsetBytes) || offsetBytes < 0 || !Number.isSafeInteger(lengthBytes) || lengthBytes <= 0) {
      throw new StorageError('invalid-argument', key, `${key}: range of ${lengthBytes} bytes from offset ${offsetBytes} is not a positive byte range`);
    }
    const bytes = await this.retry('getRange', key, () => this.readAll(key, () => this.openRange(key, offsetBytes, lengthBytes)));
    if (bytes.length !== lengthBytes) {
      throw new StorageError('integrity', key, `${key}: ${lengthBytes} bytes from offset ${offsetBytes} requested, ${bytes.length} read: the object is shorter`);
    }
    return bytes;
  }

  private async openRange(key: string, offsetBytes: number, lengthBytes: number): Promise<Readable> {
    try {
      return await this.client.getPartialObject(this.bucket, key, offsetBytes, lengthBytes);
    } catch (error) {
      throw storageErrorFrom(error, key, 'read');
    }
  }

  private async readAll(key: string, open: () => Promise<Readable>): Promise<Buffer> {
    const stream = await open();
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

  /**
   * Reads an object, or the `sizeBytes` bytes from `offsetBytes` of it when an offset is given
   * (an image inside a pack), and checks SHA-256 and size against what a manifest recorded.
   */
  async getVerified(key: string, expected: VerifiedRead): Promise<Buffer> {
    let bytes: Buffer;
    if (expected.offsetBytes === undefined) {
      bytes = await this.getBytes(key);
    } else {
      if (expected.sizeBytes === undefined) {
        throw new StorageError('invalid-argument', key, `${key}: a read from offset ${expected.offsetBytes} needs sizeBytes`);
      }
      bytes = await this.getRange(key, expected.offsetBytes, expected.sizeBytes);
    }

    verifyRecorded(key, bytes, expected);
    return bytes;
  }

  /**
   * Reads and parses a JSON object. s3rver writes an object in place, so a read that overlaps an
   * overwrite (a job.json being updated) can return only its first part. Such a read is repeated
   * after a short wait before the object counts as invalid.
   */
  async getJson<T>(key: string): Promise<T> {
    return (await this.getJsonWithBytes<T>(key)).value;
  }

  /** Reads and parses a JSON object like getJson, and also returns the bytes it was parsed from. */
  async getJsonWithBytes<T>(key: string): Promise<{ value: T; bytes: Buffer }> {
    for (let attempt = 1; ; attempt += 1) {
      const bytes = await this.getBytes(key);
      try {
        return { value: JSON.parse(bytes.toString('utf8')) as T, bytes };
      } catch (error) {
        if (attempt >= TORN_READ_ATTEMPTS) {
          throw new StorageError('integrity', key, `${key}: invalid JSON: ${(error as Error).message}`, { cause: error });
        }
        await sleep(TORN_READ_WAIT_MS * attempt);
      }
    }
  }

  /** Returns the object's size, or undefined when it does not exist. */
  async stat(key: string): Promise<ObjectInfo | undefined> {
    return this.retry('stat', key, async () => {
      try {
        const stat = await this.client.statObject(this.bucket, key);
        return { key, sizeBytes: stat.size, lastModified: stat.lastModified, etag: stat.etag };
      } catch (error) {
        const storageError = storageErrorFrom(error, key, 'stat');
        if (storageError.kind === 'not-found') {
          return undefined;
        }
        throw storageError;
      }
    });
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  /**
   * Lists objects whose keys start with `prefix`, recursively, in key order. A listing cut off by
   * a retryable failure continues after the last key it returned.
   */
  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let lastKey = '';
    let done = false;
    while (!done) {
      const page: ObjectInfo[] = [];
      // Each attempt collects what it can; the retry resumes after the last key already returned.
      await this.retry('list', prefix, async () => {
        try {
          for await (const item of this.client.listObjectsV2(this.bucket, prefix, true, lastKey)) {
            if (item.name) page.push({ key: item.name, sizeBytes: item.size, lastModified: item.lastModified });
            if (page.length >= LIST_PAGE_OBJECTS) return;
          }
          done = true;
        } catch (error) {
          throw storageErrorFrom(error, prefix, 'list');
        } finally {
          lastKey = page.at(-1)?.key ?? lastKey;
        }
      });
      yield* page;
    }
  }

  /** Lists the immediate "folders" under `prefix` (which should end in "/"). */
  async listPrefixes(prefix: string): Promise<string[]> {
    return this.retry('listPrefixes', prefix, async () => {
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
    });
  }

  /** Deletes an object; deleting a missing object succeeds, so a repeated delete is harmless. */
  async delete(key: string): Promise<void> {
    await this.retry('delete', key, async () => {
      try {
        await this.client.removeObject(this.bucket, key);
      } catch (error) {
        const storageError = storageErrorFrom(error, key, 'delete');
        if (storageError.kind !== 'not-found') {
          throw storageError;
        }
      }
    });
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

  /**
   * Copies an object inside the bucket, streaming through this process so any S3 server works.
   * A failed copy starts again from the source, which the copy does not change.
   */
  async copy(sourceKey: string, targetKey: string): Promise<PutResult> {
    return this.retry('copy', targetKey, async () => {
      const stream = await this.openStream(sourceKey);
      try {
        return await uploadStream(this.client, this.bucket, targetKey, stream, this.partSizeBytes, 'application/octet-stream');
      } catch (error) {
        stream.destroy();
        throw storageErrorFrom(error, targetKey, 'write');
      }
    });
  }
}
