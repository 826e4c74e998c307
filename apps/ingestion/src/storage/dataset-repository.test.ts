import { keysUnder as listKeys, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetRepository } from './dataset-repository.js';

let objects: TestObjectStore;

const keysUnder = (prefix: string) => listKeys(objects.store, prefix);

beforeAll(async () => {
  objects = await startTestObjectStore();
});

afterAll(async () => {
  await objects?.stop();
});

describe('DatasetRepository.deleteUnlistedPacks', () => {
  it('deletes old packs no version lists', async () => {
    const repository = new DatasetRepository(objects.store);
    await objects.store.put('datasets/flowers/packs/listed.pack', 'listed');
    await objects.store.put('datasets/flowers/packs/left-by-a-kill.pack', 'unlisted');
    const stored = new Map([['a'.repeat(64), { key: 'datasets/flowers/packs/listed.pack', offsetBytes: 0 }]]);

    const deleted = await repository.deleteUnlistedPacks('flowers', stored, new Date(Date.now() + 60_000));

    expect(deleted).toEqual(['datasets/flowers/packs/left-by-a-kill.pack']);
    expect(await keysUnder('datasets/flowers/')).toEqual(['datasets/flowers/packs/listed.pack']);
  });

  it('keeps unlisted packs younger than the age', async () => {
    const repository = new DatasetRepository(objects.store);
    await objects.store.put('datasets/roses/packs/importing.pack', 'in progress');

    const deleted = await repository.deleteUnlistedPacks('roses', new Map(), new Date(Date.now() - 3_600_000));

    expect(deleted).toEqual([]);
    expect(await keysUnder('datasets/roses/')).toEqual(['datasets/roses/packs/importing.pack']);
  });
});
