import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GrpcStatus, ServiceError } from '@inception/rpc';
import { layout, StorageError, ObjectStore, type PutResult } from '@inception/storage';
import { makeTempDir } from '@inception/testing';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestionManifest } from '../domain/manifest.js';
import { tarArchive, tarEntry, zipArchive } from '../testing/archive-writers.js';
import { startIngestionHarness, type IngestionHarness } from '../testing/ingestion-harness.js';
import { copySampleClasses, SAMPLE_CLASSES } from '../testing/sample-classes.js';

const PER_CLASS = 6;
const SPLIT = { validation: { case: 'validationImagesPerClass' as const, value: 2 } };

let temp: { dir: string; remove: () => Promise<void> };
let harness: IngestionHarness;
let folder: string;
let relativePaths: string[];
let tgz: string;

async function manifestOf(name: string, version: number): Promise<IngestionManifest> {
  return harness.objects.store.getJson<IngestionManifest>(layout.datasetManifest(name, version));
}

async function failure(call: Promise<unknown>): Promise<ServiceError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ServiceError)) throw new Error(`expected a ServiceError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  temp = await makeTempDir('inception-ingestion-sources-');
  folder = path.join(temp.dir, 'staging', 'flower_photos');
  relativePaths = await copySampleClasses(folder, PER_CLASS);
  await writeFile(path.join(folder, 'LICENSE.txt'), 'Sample images: Fashion-MNIST, MIT licence.\n');
  tgz = path.join(temp.dir, 'flower_photos.tgz');
  await createTar({ gzip: true, file: tgz, cwd: path.dirname(folder), portable: true }, ['flower_photos']);
  harness = await startIngestionHarness();
});

afterAll(async () => {
  await harness?.stop();
  await temp?.remove();
});

describe('ImportDataset sources', () => {
  it('splits flower_photos.tgz per class', async () => {
    const result = await harness.client.importDataset({ name: 'flowers', source: tgz, settings: { split: SPLIT } });
    const manifest = await manifestOf('flowers', result.dataset!.ref!.version);
    expect(result.dataset?.trainImages).toBe(SAMPLE_CLASSES.length * (PER_CLASS - 2));
    expect(result.dataset?.validationImages).toBe(SAMPLE_CLASSES.length * 2);
    expect(manifest.labels).toEqual(SAMPLE_CLASSES);
    expect(manifest.split).toEqual({ validationImagesPerClass: 2, seed: 12345 });
    expect(manifest.source).toBe(tgz);
    for (const className of SAMPLE_CLASSES) {
      expect(manifest.images.validation.filter((image) => image.className === className), className).toHaveLength(2);
    }
  });

  it('gives an unpacked folder the same version', async () => {
    const fromFolder = await harness.client.importDataset({ name: 'flowers', source: folder, settings: { split: SPLIT } });
    expect(fromFolder.created).toBe(false);
    expect(fromFolder.dataset?.ref?.version).toBe(1);
  });

  it('splits differently under another seed', async () => {
    const reseeded = await harness.client.importDataset({ name: 'flowers', source: folder, settings: { split: { ...SPLIT, seed: 7n } } });
    const first = await manifestOf('flowers', 1);
    const second = await manifestOf('flowers', reseeded.dataset!.ref!.version);
    expect(reseeded.created).toBe(true);
    expect(second.images.validation.map((image) => image.sourcePath)).not.toEqual(first.images.validation.map((image) => image.sourcePath));
  });

  it('splits a fraction of each class', async () => {
    const result = await harness.client.importDataset({ name: 'fraction', source: folder, settings: { split: { validation: { case: 'validationFraction', value: 0.25 } } } });
    expect(result.dataset?.validationImages).toBe(SAMPLE_CLASSES.length * Math.round(PER_CLASS * 0.25));
    expect(result.dataset?.split?.validation).toEqual({ case: 'validationFraction', value: 0.25 });
  });

  it('imports a zip with Unicode names', async () => {
    const jpeg = await readFile(path.join(folder, relativePaths[0]));
    const zip = path.join(temp.dir, 'blüten [2024].zip');
    const names = ['fleur été (1).jpg', 'цветок.jpg', '花 2.jpg'];
    await writeFile(zip, zipArchive(['mohn', 'rose'].flatMap((className) => names.map((name) => ({ name: `blüten/${className}/${name}`, body: jpeg })))));
    const result = await harness.client.importDataset({ name: 'zipped', source: zip, settings: { split: { validation: { case: 'validationImagesPerClass', value: 1 } } } });
    const manifest = await manifestOf('zipped', result.dataset!.ref!.version);
    expect(manifest.labels).toEqual(['mohn', 'rose']);
    expect([...manifest.images.train, ...manifest.images.validation].map((image) => image.sourcePath).sort()).toEqual(['mohn', 'rose'].flatMap((className) => names.map((name) => `${className}/${name}`)).sort());
  });

  it('imports an S3 prefix in another bucket', async () => {
    const photos = await harness.bucket('photos');
    for (const relativePath of relativePaths) {
      await photos.put(`sets/flowers/${relativePath}`, await readFile(path.join(folder, relativePath)), 'image/jpeg');
    }
    await photos.put('sets/flowers/LICENSE.txt', 'MIT\n', 'text/plain');
    const fromS3 = await harness.client.importDataset({ name: 'flowers', source: 's3://photos/sets/flowers', settings: { split: SPLIT } });
    expect(fromS3.created).toBe(false);
    expect(fromS3.dataset?.ref?.version).toBe(1);
  });

  it('imports an archive object from S3', async () => {
    const photos = await harness.bucket('photos');
    await photos.put('archives/flower_photos.tgz', await readFile(tgz), 'application/gzip');
    const fromS3 = await harness.client.importDataset({ name: 'flowers', source: 's3://photos/archives/flower_photos.tgz', settings: { split: SPLIT } });
    expect(fromS3.dataset?.ref?.version).toBe(1);
  });

  it('lists every dataset without a name', async () => {
    const listed = await harness.client.listDatasets({});
    const names = new Set(listed.datasets.map((dataset) => dataset.ref?.name));
    expect([...names].sort()).toEqual(['flowers', 'fraction', 'zipped']);
    expect(listed.datasets.filter((dataset) => dataset.ref?.name === 'flowers').map((dataset) => dataset.ref?.version)).toEqual([1, 2]);
  });

  it('orders labels as the labels file does', async () => {
    const labelsFile = 'trouser\r\nbag  \r\n\r\n sandal\r\n';
    const result = await harness.client.importDataset({ name: 'relabelled', source: tgz, settings: { split: SPLIT, labelsFile } });
    const classes = result.dataset!.classes.map((entry) => `${entry.label} ${entry.className}`);
    expect(result.dataset?.labels).toEqual(['trouser', 'bag', 'sandal']);
    expect(classes).toEqual(['1 trouser', '2 bag', '3 sandal']);
  });

  it('names the labels-file line without a folder', async () => {
    const error = await failure(harness.client.importDataset({ name: 'relabelled', source: tgz, settings: { split: SPLIT, labelsFile: 'bag\r\n\r\nsandal\r\ntrousers\r\n' } }));
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain('labels file line 4: class "trousers" has no folder');
    expect(error.message).toContain('class folder "trouser"');
  });

  it('rejects an unsafe archive naming the entry', async () => {
    const jpeg = await readFile(path.join(folder, relativePaths[0]));
    const evil = path.join(temp.dir, 'evil.tar');
    await writeFile(evil, tarArchive([tarEntry({ path: 'bag/a.jpg', type: 'File', body: jpeg }), tarEntry({ path: 'bag/../../escape.jpg', type: 'File', body: jpeg })]));
    const error = await failure(harness.client.importDataset({ name: 'evil', source: evil, settings: { split: SPLIT } }));
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain('"bag/../../escape.jpg"');
  });

  it.each([
    ['a source without a split', { name: 'x', source: '/tmp' }, GrpcStatus.INVALID_ARGUMENT, 'settings.split'],
    ['a relative path', { name: 'x', trainSource: 'train', validationSource: '/tmp' }, GrpcStatus.INVALID_ARGUMENT, 'absolute path'],
    ['a missing folder', { name: 'x', trainSource: '/does/not/exist', validationSource: '/tmp' }, GrpcStatus.NOT_FOUND, '/does/not/exist'],
    ['a missing validation root', { name: 'x', trainSource: '/tmp' }, GrpcStatus.INVALID_ARGUMENT, 'validation_source'],
    ['both labels forms', { name: 'x', source: '/tmp', labels: ['a'], settings: { labelsFile: 'a\n', split: SPLIT } }, GrpcStatus.INVALID_ARGUMENT, 'labels_file'],
    ['a bad import_id', { name: 'x', source: '/tmp', settings: { split: SPLIT, importId: 'a b' } }, GrpcStatus.INVALID_ARGUMENT, 'import_id'],
    ['an empty S3 prefix', { name: 'x', source: 's3://inception/nothing-here/', settings: { split: SPLIT } }, GrpcStatus.NOT_FOUND, 'nothing-here'],
  ])('rejects %s', async (_case, request, code, fragment) => {
    const error = await failure(harness.client.importDataset(request));
    expect(error.code).toBe(code);
    expect(error.message).toContain(fragment);
  });

  it('leaves no version after a failed import', async () => {
    const broken = new FailingStore(harness.objects.store);
    const failing = await startIngestionHarness({ store: broken });
    try {
      const error = await failure(failing.client.importDataset({ name: 'interrupted', source: folder, settings: { split: SPLIT } }));
      expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
    } finally {
      await failing.stop();
    }
    expect(await harness.objects.store.exists(layout.datasetManifest('interrupted', 1))).toBe(false);
    expect(await harness.objects.store.listPrefixes('datasets/interrupted/')).toEqual([]);

    const retried = await harness.client.importDataset({ name: 'interrupted', source: folder, settings: { split: SPLIT } });
    expect(retried.created).toBe(true);
    expect(retried.dataset?.ref?.version).toBe(1);
  });
});

/** Writes through to `inner` but fails every image pack write like an unreachable server. */
class FailingStore extends ObjectStore {
  constructor(private readonly inner: ObjectStore) {
    super({ endpoint: inner.endpoint, accessKey: 'unused', secretKey: 'unused', bucket: inner.bucket });
  }

  override async put(key: string, body: Parameters<ObjectStore['put']>[1], contentType?: string): Promise<PutResult> {
    if (key.includes('/packs/')) {
      throw new StorageError('unavailable', key, `write ${key}: object store unavailable (simulated)`);
    }
    return this.inner.put(key, body, contentType);
  }

  override list(prefix: string) {
    return this.inner.list(prefix);
  }

  override listPrefixes(prefix: string) {
    return this.inner.listPrefixes(prefix);
  }

  override exists(key: string) {
    return this.inner.exists(key);
  }
}
