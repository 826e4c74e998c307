import { ObjectStore } from '@inception/storage';
import { startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackCache } from './pack-cache.js';

/** The real store, listing the ranged reads that reach the S3 server. */
class RecordingStore extends ObjectStore {
  readonly reads: string[] = [];

  constructor(private readonly inner: ObjectStore) {
    super({ endpoint: inner.endpoint, accessKey: 'unused', secretKey: 'unused', bucket: inner.bucket });
  }

  override getRange(key: string, offsetBytes: number, lengthBytes: number): Promise<Buffer> {
    this.reads.push(key);
    return this.inner.getRange(key, offsetBytes, lengthBytes);
  }
}

let objects: TestObjectStore;

beforeAll(async () => {
  objects = await startTestObjectStore();
  for (const name of ['a', 'b', 'c']) await objects.store.put(`packs/${name}.pack`, name.repeat(100));
});

afterAll(async () => {
  await objects?.stop();
});

describe('PackCache', () => {
  it('drops the least recently used pack', async () => {
    const store = new RecordingStore(objects.store);
    const cache = new PackCache(store, 200);

    await cache.read('packs/a.pack', 100);
    await cache.read('packs/b.pack', 100);
    await cache.read('packs/a.pack', 100);
    await cache.read('packs/c.pack', 100);
    await cache.read('packs/a.pack', 100);
    await cache.read('packs/b.pack', 100);

    expect(store.reads).toEqual(['packs/a.pack', 'packs/b.pack', 'packs/c.pack', 'packs/b.pack']);
  });

  it('returns the pack bytes', async () => {
    const cache = new PackCache(objects.store, 1000);

    expect((await cache.read('packs/c.pack', 100)).toString()).toBe('c'.repeat(100));
  });

  it('reads again after a failed read', async () => {
    const store = new RecordingStore(objects.store);
    const cache = new PackCache(store, 1000);

    await expect(cache.read('packs/missing.pack', 100)).rejects.toThrow('packs/missing.pack');
    await expect(cache.read('packs/missing.pack', 100)).rejects.toThrow('packs/missing.pack');

    expect(store.reads).toEqual(['packs/missing.pack', 'packs/missing.pack']);
  });

  it('fits only packs within the budget', () => {
    const cache = new PackCache(objects.store, 100);

    expect(cache.fits(100)).toBe(true);
    expect(cache.fits(101)).toBe(false);
  });
});
