import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from './errors.js';
import { ObjectStore } from './object-store.js';
import { parseS3Uri } from './s3-uri.js';

const PART_SIZE_BYTES = 5 * 1024 * 1024;
let harness: TestObjectStore;

beforeAll(async () => {
  harness = await startTestObjectStore('inception', PART_SIZE_BYTES);
});

afterAll(async () => {
  await harness.stop();
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('ObjectStore on s3rver', () => {
  it('round-trips bytes with their SHA-256', async () => {
    const bytes = randomBytes(1000);
    const result = await harness.store.put('a/b.bin', bytes);
    expect(result.sha256).toBe(sha256(bytes));
    expect(result.sizeBytes).toBe(1000);
    expect(sha256(await harness.store.getBytes('a/b.bin'))).toBe(sha256(bytes));
  });

  it('uploads a stream larger than one part as a multipart upload', async () => {
    const bytes = randomBytes(PART_SIZE_BYTES * 2 + 12345);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
    const result = await harness.store.put('big/object.bin', Readable.from(chunks));
    expect(result.sizeBytes).toBe(bytes.length);
    expect(result.sha256).toBe(sha256(bytes));
    const stored = await harness.store.getBytes('big/object.bin');
    expect(stored.length).toBe(bytes.length);
    expect(sha256(stored)).toBe(sha256(bytes));
  });

  it('uploads an empty stream as an empty object', async () => {
    const result = await harness.store.put('empty.bin', Readable.from([]));
    expect(result.sizeBytes).toBe(0);
    expect((await harness.store.stat('empty.bin'))?.sizeBytes).toBe(0);
  });

  it('reports a missing object as not-found', async () => {
    expect(await harness.store.stat('missing/key')).toBeUndefined();
    const error = await harness.store.getBytes('missing/key').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).kind).toBe('not-found');
    expect((error as StorageError).message).toContain('missing/key');
  });

  it('detects content that differs from its recorded digest', async () => {
    await harness.store.put('verified.txt', 'hello');
    await expect(harness.store.getVerified('verified.txt', { sha256: sha256(Buffer.from('hello')) })).resolves.toBeInstanceOf(Buffer);
    const error = (await harness.store.getVerified('verified.txt', { sha256: sha256(Buffer.from('other')) }).catch((caught: unknown) => caught)) as StorageError;
    expect(error.kind).toBe('integrity');
    expect(error.message).toContain('verified.txt');
  });

  it('reads and verifies a byte range', async () => {
    await harness.store.put('pack.bin', 'headerhello trailer');
    expect((await harness.store.getRange('pack.bin', 6, 5)).toString()).toBe('hello');
    await expect(harness.store.getVerified('pack.bin', { sha256: sha256(Buffer.from('hello')), sizeBytes: 5, offsetBytes: 6 })).resolves.toEqual(Buffer.from('hello'));
    const changed = (await harness.store.getVerified('pack.bin', { sha256: sha256(Buffer.from('hello')), sizeBytes: 5, offsetBytes: 7 }).catch((caught: unknown) => caught)) as StorageError;
    expect(changed.kind).toBe('integrity');
    expect(changed.message).toContain('pack.bin at offset 7');
  });

  it('refuses a range past the end of the object', async () => {
    await harness.store.put('short.bin', 'abc');
    const error = (await harness.store.getRange('short.bin', 1, 10).catch((caught: unknown) => caught)) as StorageError;
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toContain('short.bin');
  });

  it('reads JSON again when a read overlaps an overwrite', async () => {
    await harness.store.put('job.json', '{"state": "RUNN');
    const store = new OverwriteOnFirstRead(harness.store, 'job.json', '{"state": "RUNNING"}');

    expect(await store.getJson('job.json')).toEqual({ state: 'RUNNING' });
    expect(store.reads).toBe(2);
  });

  it('rejects JSON that stays invalid', async () => {
    await harness.store.put('broken.json', '{"state": ');

    const error = (await harness.store.getJson('broken.json').catch((caught: unknown) => caught)) as StorageError;

    expect(error.kind).toBe('integrity');
    expect(error.message).toContain('broken.json: invalid JSON');
  });

  it('lists keys and folders under a prefix', async () => {
    await harness.store.put('runs/x/1', 'a');
    await harness.store.put('runs/x/2', 'b');
    await harness.store.put('runs/y/1', 'c');
    const keys: string[] = [];
    for await (const item of harness.store.list('runs/x/')) keys.push(item.key);
    expect(keys).toEqual(['runs/x/1', 'runs/x/2']);
    expect(await harness.store.listPrefixes('runs/')).toEqual(['runs/x/', 'runs/y/']);
    expect(await harness.store.deletePrefix('runs/')).toBe(3);
    expect(await harness.store.listPrefixes('runs/')).toEqual([]);
  });
});

describe('parseS3Uri', () => {
  it('splits bucket and key', () => {
    expect(parseS3Uri('s3://my-bucket/data/flowers/')).toEqual({ bucket: 'my-bucket', key: 'data/flowers/' });
  });

  it('rejects an invalid bucket name', () => {
    expect(() => parseS3Uri('s3://A_bucket/x')).toThrow(/bucket name "A_bucket"/);
  });
});

/** The real store, which overwrites `key` with `replacement` right after the first read returns. */
class OverwriteOnFirstRead extends ObjectStore {
  reads = 0;

  constructor(
    private readonly inner: ObjectStore,
    private readonly key: string,
    private readonly replacement: string,
  ) {
    super({ endpoint: inner.endpoint, accessKey: 'unused', secretKey: 'unused', bucket: inner.bucket });
  }

  override async getBytes(key: string): Promise<Buffer> {
    this.reads += 1;
    const bytes = await this.inner.getBytes(key);
    if (this.reads === 1 && key === this.key) await this.inner.put(key, this.replacement);
    return bytes;
  }
}
