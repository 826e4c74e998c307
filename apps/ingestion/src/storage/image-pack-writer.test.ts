import { createHash } from 'node:crypto';
import { StorageError } from '@inception/storage';
import { keysUnder as listKeys, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImagePackWriter } from './image-pack-writer.js';

let objects: TestObjectStore;

const keysUnder = (prefix: string) => listKeys(objects.store, prefix);

/** `count` distinct byte strings of `sizeBytes` each, with their SHA-256. */
function images(count: number, sizeBytes: number, seed: number) {
  return Array.from({ length: count }, (_, index) => {
    const bytes = Buffer.alloc(sizeBytes, (seed * 31 + index) % 256);
    bytes.writeUInt32BE(seed * 1000 + index);
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
}

beforeAll(async () => {
  objects = await startTestObjectStore();
});

afterAll(async () => {
  await objects?.stop();
});

describe('ImagePackWriter', () => {
  it('packs images end to end and reads each back by offset', async () => {
    const writer = new ImagePackWriter(objects.store, 'packed', new Map(), { maxUploadsInFlight: 2, packTargetBytes: 1000 });
    const written = images(7, 300, 1);

    const locations = await Promise.all(written.map((image) => writer.put(image.sha256, image.bytes)));
    await writer.flush();

    // 300-byte images close a pack at 1,200 bytes: 4 in the first pack, 3 in the second.
    expect(new Set(locations.map((location) => location.key)).size).toBe(2);
    expect(locations.map((location) => location.offsetBytes)).toEqual([0, 300, 600, 900, 0, 300, 600]);
    for (const [index, location] of locations.entries()) {
      const bytes = await objects.store.getVerified(location.key, { sha256: written[index].sha256, sizeBytes: 300, offsetBytes: location.offsetBytes });
      expect(bytes.equals(written[index].bytes)).toBe(true);
    }
    expect(await keysUnder('datasets/packed/packs/')).toEqual([...new Set(locations.map((location) => location.key))].sort());
  });

  it('stores an image put twice once', async () => {
    const writer = new ImagePackWriter(objects.store, 'twice', new Map(), { maxUploadsInFlight: 1 });
    const [image] = images(1, 100, 2);

    const first = await writer.put(image.sha256, image.bytes);
    const second = await writer.put(image.sha256, image.bytes);
    await writer.flush();

    expect(second).toEqual(first);
    expect((await objects.store.stat(first.key))?.sizeBytes).toBe(100);
  });

  it('uploads nothing for images an earlier version stores', async () => {
    const [image] = images(1, 100, 3);
    const known = new Map([[image.sha256, { key: 'datasets/known/packs/earlier.pack', offsetBytes: 4096 }]]);
    const writer = new ImagePackWriter(objects.store, 'known', known, { maxUploadsInFlight: 1 });

    const location = await writer.put(image.sha256, image.bytes);
    await writer.flush();

    expect(location).toEqual({ key: 'datasets/known/packs/earlier.pack', offsetBytes: 4096 });
    expect(await keysUnder('datasets/known/')).toEqual([]);
  });

  it('deletes its uploaded packs on discard', async () => {
    const writer = new ImagePackWriter(objects.store, 'discarded', new Map(), { maxUploadsInFlight: 2, packTargetBytes: 200 });
    for (const image of images(5, 200, 4)) await writer.put(image.sha256, image.bytes);
    await writer.flush();
    expect(await keysUnder('datasets/discarded/packs/')).toHaveLength(5);

    await writer.discard();

    expect(await keysUnder('datasets/discarded/')).toEqual([]);
  });

  it('throws the upload failure from flush', async () => {
    const stopped = await startTestObjectStore();
    await stopped.s3.stop();
    const writer = new ImagePackWriter(stopped.store, 'unreachable', new Map(), { maxUploadsInFlight: 1 });
    const [image] = images(1, 100, 5);

    await writer.put(image.sha256, image.bytes);
    const error = await writer.flush().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toContain('datasets/unreachable/packs/');
    await stopped.stop().catch(() => undefined);
  });
});
