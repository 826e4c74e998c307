import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { layout, SPLITS, type DatasetImage, type DatasetManifest, type ObjectStore, type Split } from '@inception/storage';

/** Side of every image in data/samples/fashion-mnist and of copies made from it, in pixels (the samples keep the 28×28 originals). */
const SAMPLE_SIDE_PIXELS = 28;

export interface SampleDatasetOptions {
  /** Folder with labels.txt and train/ and validation/ class folders. */
  samplesDir: string;
  name: string;
  version?: number;
  /** Images taken from each class folder, in file-name order (default: all). */
  perClass?: Partial<Record<Split, number>>;
}

/**
 * Writes the Fashion-MNIST samples into `store` as a dataset version with the bucket layout of
 * the ingestion service: the images in one pack, each once by SHA-256, and a manifest written
 * last. The JPEGs are stored as they are (single-channel), which the sharding service does not
 * look at.
 */
export async function writeSampleDataset(store: ObjectStore, options: SampleDatasetOptions): Promise<DatasetManifest> {
  const version = options.version ?? 1;
  const labels = (await readFile(path.join(options.samplesDir, 'labels.txt'), 'utf8')).split('\n').map((line) => line.trim()).filter(Boolean);
  const packKey = layout.datasetPack(options.name, `sample-v${version}`);
  const packChunks: Buffer[] = [];
  let packSizeBytes = 0;
  const offsetOf = new Map<string, number>();

  const images = {} as Record<Split, DatasetImage[]>;
  for (const split of SPLITS) {
    images[split] = [];
    for (const [labelIndex, className] of labels.entries()) {
      const folder = path.join(options.samplesDir, split, className);
      const files = (await readdir(folder)).filter((file) => file.endsWith('.jpg')).sort().slice(0, options.perClass?.[split]);
      for (const file of files) {
        const bytes = await readFile(path.join(folder, file));
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        // Copies of one image are stored once, as the ingestion service does.
        if (!offsetOf.has(sha256)) {
          offsetOf.set(sha256, packSizeBytes);
          packChunks.push(bytes);
          packSizeBytes += bytes.length;
        }
        const location = { key: packKey, offsetBytes: offsetOf.get(sha256)! };
        images[split].push({ className, label: labelIndex + 1, sourcePath: `${className}/${file}`, ...location, sha256, sizeBytes: bytes.length, width: SAMPLE_SIDE_PIXELS, height: SAMPLE_SIDE_PIXELS, originalFormat: 'jpeg', conversion: 'none' });
      }
    }
  }
  await store.put(packKey, Buffer.concat(packChunks, packSizeBytes));

  const content = createHash('sha256');
  for (const split of SPLITS) for (const image of images[split]) content.update(`${split}\t${image.className}\t${image.sha256}\n`);
  const manifest: DatasetManifest = {
    formatVersion: 1,
    name: options.name,
    version,
    createdAt: new Date().toISOString(),
    labels,
    contentSha256: content.digest('hex'),
    sources: { train: path.join(options.samplesDir, 'train'), validation: path.join(options.samplesDir, 'validation') },
    images,
    skipped: [],
  };
  await store.putJson(layout.datasetManifest(options.name, version), manifest);
  return manifest;
}
