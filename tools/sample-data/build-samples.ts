/**
 * Builds data/samples/fashion-mnist from the Debian package dataset-fashion-mnist.
 * Usage: npx tsx tools/sample-data/build-samples.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildFashionMnistSamples, MissingSourceError } from './fashion-mnist.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outputDir = path.join(repoRoot, 'data/samples/fashion-mnist');

try {
  const summary = await buildFashionMnistSamples({ outputDir });
  const total = summary.imagesPerSplit.train + summary.imagesPerSplit.validation;
  console.log(
    `Wrote ${total} images (${summary.imagesPerSplit.train} train, ${summary.imagesPerSplit.validation} validation) ` +
      `from dataset-fashion-mnist ${summary.packageVersion} to ${path.relative(repoRoot, outputDir)}`,
  );
} catch (error) {
  if (error instanceof MissingSourceError) {
    console.error(`build-samples: ${error.message}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
