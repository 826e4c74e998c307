import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

/**
 * Builds the benchmark's image folder from the Fashion-MNIST samples: every image converted once
 * to a 3-channel JPEG, as the ingestion service stores images, and repeated `copies` times under
 * distinct names, optionally only the first `perClass` files of each class. RGB JPEGs are what both the sharding service and `inception build-image-data`
 * store byte for byte, so both write the same shards from it. Returns the number of images per split.
 */
export async function buildBenchImages(samplesDir: string, targetDir: string, copies: number, perClass?: Record<'train' | 'validation', number>): Promise<{ train: number; validation: number }> {
  const labels = (await readFile(path.join(samplesDir, 'labels.txt'), 'utf8')).split('\n').map((line) => line.trim()).filter(Boolean);
  await mkdir(targetDir, { recursive: true });
  await copyFile(path.join(samplesDir, 'labels.txt'), path.join(targetDir, 'labels.txt'));

  const counts = { train: 0, validation: 0 };
  for (const split of ['train', 'validation'] as const) {
    for (const className of labels) {
      const source = path.join(samplesDir, split, className);
      const target = path.join(targetDir, split, className);
      await mkdir(target, { recursive: true });
      const files = (await readdir(source)).filter((name) => name.endsWith('.jpg')).sort().slice(0, perClass?.[split]);
      for (const file of files) {
        const rgb = await sharp(path.join(source, file)).toColourspace('srgb').jpeg({ quality: 95 }).toBuffer();
        for (let copy = 0; copy < copies; copy++) {
          await writeFile(path.join(target, file.replace(/\.jpg$/, `-c${String(copy).padStart(3, '0')}.jpg`)), rgb);
          counts[split] += 1;
        }
      }
    }
  }
  return counts;
}
