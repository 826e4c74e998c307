import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { makeTempDir, repoRoot } from '@inception/testing';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { buildFashionMnistSamples, checkSourcesExist, MissingSourceError, selectFirstPerClass } from './fashion-mnist.js';
import { CLASS_NAMES, DEBIAN_PACKAGE, DEFAULT_COPYRIGHT_FILE, DEFAULT_SOURCE_DIR } from './fashion-mnist-spec.js';
import { renderLicense } from './sample-docs.js';

const COMMITTED_SAMPLES = path.join(repoRoot, 'data/samples/fashion-mnist');

/** Lists every file under `root` as a relative path, sorted. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

async function expectSameTree(actualRoot: string, expectedRoot: string): Promise<void> {
  const actualFiles = await listFiles(actualRoot);
  expect(actualFiles).toEqual(await listFiles(expectedRoot));
  for (const file of actualFiles) {
    const [actual, expected] = await Promise.all([readFile(path.join(actualRoot, file)), readFile(path.join(expectedRoot, file))]);
    expect(Buffer.compare(actual, expected), file).toBe(0);
  }
}

describe('selectFirstPerClass', () => {
  it('keeps the first positions of each label in order', () => {
    const labels = new Uint8Array([1, 0, 1, 1, 0, 2, 2, 0]);

    expect(selectFirstPerClass(labels, 3, 2)).toEqual([
      [1, 4],
      [0, 2],
      [5, 6],
    ]);
  });

  it('rejects a class with too few images', () => {
    expect(() => selectFirstPerClass(new Uint8Array([0, 0, 1]), 2, 2)).toThrow(/trouser has only 1 images/);
  });
});

describe('checkSourcesExist', () => {
  it('names the Debian package when files are missing', () => {
    const check = (): void => checkSourcesExist('/nonexistent/fashion-mnist', '/nonexistent/copyright');

    expect(check).toThrow(MissingSourceError);
    expect(check).toThrow(`apt-get install ${DEBIAN_PACKAGE}`);
  });
});

describe('renderLicense', () => {
  it('joins the copyright line and the licence text', () => {
    const copyright = [
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
      '',
      'Files: *',
      'Copyright: 2020, Example Ltd',
      'License: Expat',
      '',
      'License: Expat',
      ' First paragraph.',
      ' .',
      ' Second paragraph.',
      '',
    ].join('\n');

    expect(renderLicense(copyright)).toBe(
      'MIT License (Debian short name: Expat)\n\nCopyright 2020, Example Ltd\n\nFirst paragraph.\n\nSecond paragraph.\n',
    );
  });
});

const sourcesInstalled = existsSync(path.join(DEFAULT_SOURCE_DIR, 'train-images-idx3-ubyte.gz')) && existsSync(DEFAULT_COPYRIGHT_FILE);
if (!sourcesInstalled) {
  console.warn(`Skipping the Fashion-MNIST sample build tests: install the Debian package ${DEBIAN_PACKAGE}.`);
}

describe.skipIf(!sourcesInstalled)('buildFashionMnistSamples', () => {
  it('reproduces the committed samples byte for byte', async () => {
    const first = await makeTempDir('fashion-mnist-a-');
    const second = await makeTempDir('fashion-mnist-b-');
    try {
      const summary = await buildFashionMnistSamples({ outputDir: first.dir });
      await buildFashionMnistSamples({ outputDir: second.dir });

      expect(summary.imagesPerSplit).toEqual({ train: 800, validation: 200 });
      await expectSameTree(second.dir, first.dir);
      await expectSameTree(first.dir, COMMITTED_SAMPLES);
    } finally {
      await first.remove();
      await second.remove();
    }
  });

  it('writes 28×28 grayscale JPEGs in class folders', async () => {
    const labels = (await readFile(path.join(COMMITTED_SAMPLES, 'labels.txt'), 'utf8')).trimEnd().split('\n');
    expect(labels).toEqual([...CLASS_NAMES]);

    for (const split of ['train', 'validation']) {
      const classFolders = (await readdir(path.join(COMMITTED_SAMPLES, split))).sort();
      expect(classFolders).toEqual([...CLASS_NAMES].sort());
    }
    const metadata = await sharp(path.join(COMMITTED_SAMPLES, 'train/ankle-boot/ankle-boot-00000.jpg')).metadata();
    expect(metadata.format).toBe('jpeg');
    expect(metadata.width).toBe(28);
    expect(metadata.height).toBe(28);
    expect(metadata.channels).toBe(1);
  });
});
