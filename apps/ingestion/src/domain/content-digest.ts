import { createHash } from 'node:crypto';
import type { DatasetImage, Split } from '@inception/storage';

/** SHA-256 over the labels and the sorted (split, class, image sha256, source path) entries of a dataset. */
export function datasetContentDigest(labels: string[], images: Record<Split, DatasetImage[]>): string {
  const lines: string[] = [`labels\t${labels.join('\t')}`];
  for (const split of ['train', 'validation'] as const) {
    for (const image of images[split]) {
      lines.push(`${split}\t${image.className}\t${image.sha256}\t${image.sourcePath}`);
    }
  }
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}
