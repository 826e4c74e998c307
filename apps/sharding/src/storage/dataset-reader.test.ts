import { createHash } from 'node:crypto';
import path from 'node:path';
import { ObjectStore, StorageError, type DatasetManifest } from '@inception/storage';
import { repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleDataset } from '../testing/sample-dataset.js';
import { DatasetReader } from './dataset-reader.js';

/** The real store, counting the reads that reach the S3 server. */
class CountingStore extends ObjectStore {
  ranges = 0;

  constructor(private readonly inner: ObjectStore) {
    super({ endpoint: inner.endpoint, accessKey: 'unused', secretKey: 'unused', bucket: inner.bucket });
  }

  override getRange(key: string, offsetBytes: number, lengthBytes: number): Promise<Buffer> {
    this.ranges += 1;
    return this.inner.getRange(key, offsetBytes, lengthBytes);
  }

  override getBytes(key: string): Promise<Buffer> {
    return this.inner.getBytes(key);
  }

  override getJson<T>(key: string): Promise<T> {
    return this.inner.getJson<T>(key);
  }
}

let objects: TestObjectStore;
let manifest: DatasetManifest;

beforeAll(async () => {
  objects = await startTestObjectStore();
  manifest = await writeSampleDataset(objects.store, { samplesDir: path.join(repoRoot, 'data/samples/fashion-mnist'), name: 'fashion', perClass: { train: 3, validation: 1 } });
});

afterAll(async () => {
  await objects?.stop();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('DatasetReader.image', () => {
  it('reads a pack that fits once', async () => {
    const store = new CountingStore(objects.store);
    const reader = new DatasetReader(store);
    await reader.manifest('fashion', 1);

    for (const image of manifest.images.train) {
      expect(sha256(await reader.image(image)), image.sourcePath).toBe(image.sha256);
    }

    expect(store.ranges).toBe(1);
  });

  it('reads each image alone without a cache', async () => {
    const store = new CountingStore(objects.store);
    const reader = new DatasetReader(store, 0);
    await reader.manifest('fashion', 1);

    for (const image of manifest.images.train) {
      expect(sha256(await reader.image(image)), image.sourcePath).toBe(image.sha256);
    }

    expect(store.ranges).toBe(manifest.images.train.length);
  });

  it('reads each image alone when the packs together exceed the cache', async () => {
    const store = new CountingStore(objects.store);
    const packBytes = manifest.images.train.at(-1)!.offsetBytes! + manifest.images.train.at(-1)!.sizeBytes;
    const reader = new DatasetReader(store, packBytes - 1);
    await reader.manifest('fashion', 1);

    for (const image of manifest.images.train) await reader.image(image);

    expect(store.ranges).toBe(manifest.images.train.length);
  });

  it('rejects cached bytes that differ from the manifest', async () => {
    const reader = new DatasetReader(objects.store);
    await reader.manifest('fashion', 1);
    const image = { ...manifest.images.train[1]!, sha256: '0'.repeat(64) };

    const error = await reader.image(image).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).kind).toBe('integrity');
    expect((error as StorageError).message).toContain(`at offset ${image.offsetBytes}`);
  });
});
