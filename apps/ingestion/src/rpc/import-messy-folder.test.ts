import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImportDatasetResponse } from '@inception/proto';
import { layout, type DatasetImage } from '@inception/storage';
import { fixturePath, makeTempDir } from '@inception/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestionManifest } from '../domain/manifest.js';
import { startIngestionHarness, type IngestionHarness } from '../testing/ingestion-harness.js';
import { buildMessyDataset, DAISY, GRACE, MESSY_MAX_FILE_BYTES, MESSY_MAX_IMAGE_PIXELS, ROSES, type MessyDataset } from '../testing/messy-dataset.js';

let temp: { dir: string; remove: () => Promise<void> };
let harness: IngestionHarness;
let messy: MessyDataset;
let imported: ImportDatasetResponse;
let manifest: IngestionManifest;

async function meanAbsoluteError(stored: Uint8Array, reference: Uint8Array): Promise<number> {
  const decode = (bytes: Uint8Array) => sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const a = await decode(stored);
  const b = await decode(reference);
  expect(a.info.width).toBe(b.info.width);
  expect(a.info.height).toBe(b.info.height);
  let sum = 0;
  for (let index = 0; index < a.data.length; index += 1) sum += Math.abs(a.data[index] - b.data[index]);
  return sum / a.data.length;
}

function record(sourcePath: string) {
  const found = [...manifest.images.train, ...manifest.images.validation].find((image) => image.sourcePath === sourcePath);
  if (!found) throw new Error(`no manifest record for ${sourcePath}`);
  return found;
}

/** Reads the stored JPEG of a manifest record from its pack and checks it against its SHA-256. */
function storedBytes(image: DatasetImage): Promise<Buffer> {
  return harness.objects.store.getVerified(image.key, { sha256: image.sha256, sizeBytes: image.sizeBytes, offsetBytes: image.offsetBytes });
}

beforeAll(async () => {
  temp = await makeTempDir('inception-ingestion-messy-');
  messy = await buildMessyDataset(path.join(temp.dir, 'messy'));
  harness = await startIngestionHarness({ maxImagePixels: MESSY_MAX_IMAGE_PIXELS, maxFileBytes: MESSY_MAX_FILE_BYTES });
  imported = await harness.client.importDataset({ name: 'messy', trainSource: messy.train, validationSource: messy.validation });
  manifest = await harness.objects.store.getJson<IngestionManifest>(layout.datasetManifest('messy', imported.dataset!.ref!.version));
});

afterAll(async () => {
  await harness?.stop();
  await temp?.remove();
});

describe('ImportDataset of a messy folder', () => {
  it('creates version 1', () => {
    expect(imported.created).toBe(true);
    expect(imported.dataset?.ref?.version).toBe(1);
  });

  it('lists every usable image in the manifest', () => {
    for (const split of ['train', 'validation'] as const) {
      const expected = messy.images.filter((image) => image.split === split).map((image) => image.sourcePath).sort();
      expect(manifest.images[split].map((image) => image.sourcePath).sort(), split).toEqual(expected);
    }
  });

  it('labels classes 1..N in folder order', () => {
    expect(manifest.labels).toEqual(messy.classes);
    for (const image of [...manifest.images.train, ...manifest.images.validation]) {
      expect(image.label, image.sourcePath).toBe(messy.classes.indexOf(image.className) + 1);
    }
  });

  it('records digest, size and dimensions of stored images', async () => {
    for (const image of [...manifest.images.train, ...manifest.images.validation]) {
      expect(image.key, image.sourcePath).toMatch(/^datasets\/messy\/packs\/[\w-]+\.pack$/);
      const bytes = await harness.objects.store.getRange(image.key, image.offsetBytes!, image.sizeBytes);
      const metadata = await sharp(bytes).metadata();
      expect(createHash('sha256').update(bytes).digest('hex'), image.sourcePath).toBe(image.sha256);
      expect(bytes.length, image.sourcePath).toBe(image.sizeBytes);
      expect(metadata.format, image.sourcePath).toBe('jpeg');
      expect(metadata.channels, image.sourcePath).toBe(3);
      expect(metadata.width, image.sourcePath).toBe(image.width);
      expect(metadata.height, image.sourcePath).toBe(image.height);
    }
  });

  it('keeps 3-channel JPEGs byte for byte', async () => {
    for (const expected of messy.images.filter((image) => image.conversion === 'none')) {
      const image = record(expected.sourcePath);
      expect(image.conversion, expected.sourcePath).toBe('none');
      expect(await storedBytes(image), expected.sourcePath).toEqual(await readFile(expected.file));
    }
  });

  it('records format and conversion of every image', () => {
    for (const expected of messy.images) {
      const image = record(expected.sourcePath);
      expect(image.originalFormat, expected.sourcePath).toBe(expected.originalFormat);
      expect(image.conversion, expected.sourcePath).toBe(expected.conversion);
    }
  });

  it('converts images close to their source pixels', async () => {
    for (const expected of messy.images.filter((image) => image.pixelsLike)) {
      const stored = await storedBytes(record(expected.sourcePath));
      const error = await meanAbsoluteError(stored, await readFile(expected.pixelsLike!.file));
      expect(error, expected.sourcePath).toBeLessThanOrEqual(expected.pixelsLike!.maxMeanAbsoluteError);
    }
  });

  it('converts CMYK within 4 of its RGB twin', async () => {
    const stored = await storedBytes(record(`${ROSES}/cmyk.jpg`));
    const twin = await readFile(fixturePath('tensorflow/jpeg/jpeg_merge_test1.jpg'));
    expect(await meanAbsoluteError(stored, twin)).toBeLessThanOrEqual(4);
  });

  it('records EXIF orientation without applying it', () => {
    const rotated = record(`${DAISY}/daisy rotated (6).jpg`);
    const upright = record(`${DAISY}/daisy.jpg`);
    expect(rotated.exifOrientation).toBe(6);
    expect(rotated.width).toBe(upright.width);
    expect(rotated.height).toBe(upright.height);
    expect(upright.exifOrientation).toBeUndefined();
  });

  it('reports every skipped file with its reason', () => {
    const reported = Object.fromEntries(manifest.skipped.map((entry) => [`${entry.split} ${entry.sourcePath}`, entry.reason]));
    const expected = Object.fromEntries(messy.skipped.map((entry) => [`${entry.split} ${entry.sourcePath}`, entry.reason]));
    expect(reported).toEqual(expected);
  });

  it('explains every skip in its detail', () => {
    for (const entry of manifest.skipped) {
      expect(entry.detail.length, entry.sourcePath).toBeGreaterThan(0);
    }
    expect(manifest.skipped.find((entry) => entry.reason === 'too-many-pixels')?.detail).toContain(String(MESSY_MAX_IMAGE_PIXELS));
    expect(manifest.skipped.find((entry) => entry.reason === 'file-too-large')?.detail).toContain('INGESTION_MAX_FILE_BYTES');
  });

  it('summarises each class in the response', () => {
    const classes = imported.dataset!.classes;
    const daisy = classes.find((entry) => entry.className === DAISY)!;
    const grace = classes.find((entry) => entry.className === GRACE)!;
    expect(classes.map((entry) => entry.className)).toEqual(messy.classes);
    expect(daisy.trainImages).toBe(3);
    expect(daisy.validationImages).toBe(1);
    expect(daisy.convertedImages).toBe(1);
    expect(daisy.skippedByReason).toEqual({ 'hidden-file': 3, 'not-an-image': 1, empty: 1, 'nested-folder': 1, 'not-a-file': 1 });
    expect(grace.skippedByReason).toEqual({ truncated: 1, corrupt: 1, 'too-many-pixels': 1, 'file-too-large': 1, unsupported: 1 });
    expect(imported.dataset!.skippedImages).toBe(messy.skipped.length);
  });

  it('writes the label map beside the manifest', async () => {
    const labels = (await harness.objects.store.getBytes(layout.datasetLabels('messy', 1))).toString('utf8');
    expect(labels).toBe(`${messy.classes.join('\n')}\n`);
  });

  it('counts outcomes and reasons in metrics', async () => {
    const text = await harness.metrics.metrics();
    expect(text).toMatch(/inception_ingestion_images_total\{split="train",outcome="converted"\} 3\b/);
    expect(text).toMatch(/inception_ingestion_images_skipped_total\{reason="hidden-file"\} 4\b/);
    expect(text).toMatch(/inception_ingestion_import_duration_seconds_count\{source="folder",result="ok"\} 1\b/);
  });

  it('returns the existing version for the same folder', async () => {
    const again = await harness.client.importDataset({ name: 'messy', trainSource: messy.train, validationSource: messy.validation });
    const listed = await harness.client.listDatasets({ name: 'messy' });
    expect(again.created).toBe(false);
    expect(again.dataset?.ref?.version).toBe(1);
    expect(listed.datasets.map((dataset) => dataset.ref?.version)).toEqual([1]);
  });

  it('creates a new version when one image changes', async () => {
    const copy = path.join(temp.dir, 'messy-changed');
    await cp(path.dirname(messy.train), copy, { recursive: true, verbatimSymlinks: true });
    const changed = path.join(copy, 'train', ROSES, 'merge.jpg');
    await writeFile(changed, await sharp(await readFile(changed)).flop().jpeg({ quality: 90 }).toBuffer());
    const packsBefore = await countObjects(harness, 'datasets/messy/packs/');

    const result = await harness.client.importDataset({ name: 'messy', trainSource: path.join(copy, 'train'), validationSource: path.join(copy, 'validation') });
    expect(result.created).toBe(true);
    expect(result.dataset?.ref?.version).toBe(2);
    expect(result.dataset?.contentSha256).not.toBe(imported.dataset?.contentSha256);
    // Only the changed image is uploaded, in a pack of its own; the rest stay where v1 put them.
    expect(await countObjects(harness, 'datasets/messy/packs/')).toBe(packsBefore + 1);
    const changedManifest = await harness.objects.store.getJson<IngestionManifest>(layout.datasetManifest('messy', 2));
    const firstPacks = new Set([...manifest.images.train, ...manifest.images.validation].map((image) => image.key));
    const inNewPacks = [...changedManifest.images.train, ...changedManifest.images.validation].filter((image) => !firstPacks.has(image.key));
    expect(inNewPacks.map((image) => image.sourcePath)).toEqual([`${ROSES}/merge.jpg`]);
  });
});

async function countObjects(harness: IngestionHarness, prefix: string): Promise<number> {
  let count = 0;
  for await (const _object of harness.objects.store.list(prefix)) count += 1;
  return count;
}
