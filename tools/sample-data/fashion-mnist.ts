import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import sharp from 'sharp';

import { readIdxFile, type IdxArray } from './idx.js';
import {
  CLASS_NAMES,
  DEBIAN_PACKAGE,
  DEFAULT_COPYRIGHT_FILE,
  DEFAULT_SOURCE_DIR,
  JPEG_QUALITY,
  SPLITS,
  type BuildSummary,
  type SourceFile,
  type SplitSpec,
} from './fashion-mnist-spec.js';
import { parseDebianCopyright, renderLicense, renderProvenance } from './sample-docs.js';

export interface BuildOptions {
  /** Folder with the four `*-ubyte.gz` files. Default {@link DEFAULT_SOURCE_DIR}. */
  sourceDir?: string;
  /** Debian copyright file with the licence text. Default {@link DEFAULT_COPYRIGHT_FILE}. */
  copyrightFile?: string;
  /** Folder to replace with the sample set, e.g. `data/samples/fashion-mnist`. */
  outputDir: string;
}

/** Raised when the Debian package's files are missing, with the command that installs them. */
export class MissingSourceError extends Error {
  override readonly name = 'MissingSourceError';
}

function missingSource(detail: string): MissingSourceError {
  return new MissingSourceError(`${detail}. Install the Debian package with: sudo apt-get install ${DEBIAN_PACKAGE}`);
}

/** Returns the installed package version from `dpkg-query -W`, e.g. `0.0~git20200523.55506a9-1`. */
export function readPackageVersion(): string {
  try {
    const output = execFileSync('dpkg-query', ['-W', '-f=${Version}', DEBIAN_PACKAGE], { encoding: 'utf8' });
    return output.trim();
  } catch (error) {
    throw missingSource(`dpkg-query found no installed ${DEBIAN_PACKAGE} (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Throws {@link MissingSourceError} unless every IDX file and the copyright file exist. */
export function checkSourcesExist(sourceDir: string, copyrightFile: string): void {
  const required = [...SPLITS.flatMap((split) => [split.imagesFile, split.labelsFile]).map((name) => path.join(sourceDir, name)), copyrightFile];
  const missing = required.filter((filePath) => !existsSync(filePath));
  if (missing.length > 0) {
    throw missingSource(`missing Fashion-MNIST source files: ${missing.join(', ')}`);
  }
}

/** Returns the source positions of the first `perClass` images of each label, in file order. */
export function selectFirstPerClass(labels: IdxArray['data'], classCount: number, perClass: number): number[][] {
  const selected: number[][] = Array.from({ length: classCount }, () => []);
  for (let index = 0; index < labels.length; index += 1) {
    const label = labels[index];
    if (!Number.isInteger(label) || label < 0 || label >= classCount) {
      throw new Error(`label ${index} is ${label}, but Fashion-MNIST labels are 0–${classCount - 1}`);
    }
    if (selected[label].length < perClass) {
      selected[label].push(index);
    }
  }
  const short = selected.findIndex((positions) => positions.length < perClass);
  if (short !== -1) {
    throw new Error(`class ${CLASS_NAMES[short]} has only ${selected[short].length} images, but ${perClass} are needed`);
  }
  return selected;
}

async function writeSplit(split: SplitSpec, sourceDir: string, outputDir: string): Promise<number> {
  const images = await readIdxFile(path.join(sourceDir, split.imagesFile));
  const labels = await readIdxFile(path.join(sourceDir, split.labelsFile));
  const [imageCount, rows, columns] = images.dimensions;
  if (images.dataType !== 'uint8' || images.dimensions.length !== 3 || labels.dimensions[0] !== imageCount) {
    throw new Error(`${split.imagesFile}: expected uint8 [N, rows, columns] images with N labels, got ${images.dataType} [${images.dimensions.join(', ')}] and ${labels.dimensions[0]} labels`);
  }

  const selected = selectFirstPerClass(labels.data, CLASS_NAMES.length, split.imagesPerClass);
  const pixelsPerImage = rows * columns;
  let written = 0;
  for (const [label, positions] of selected.entries()) {
    const className = CLASS_NAMES[label];
    const classDir = path.join(outputDir, split.name, className);
    await mkdir(classDir, { recursive: true });
    for (const position of positions) {
      const pixels = images.data.subarray(position * pixelsPerImage, (position + 1) * pixelsPerImage) as Uint8Array;
      const jpeg = await sharp(pixels, { raw: { width: columns, height: rows, channels: 1 } })
        .toColourspace('b-w')
        .jpeg({ quality: JPEG_QUALITY })
        .toBuffer();
      await writeFile(path.join(classDir, `${className}-${String(position).padStart(5, '0')}.jpg`), jpeg);
      written += 1;
    }
  }
  return written;
}

/**
 * Replaces `outputDir` with the Fashion-MNIST sample set: the first 80 images of each class from
 * the training file under `train/`, the first 20 of each class from the test file under
 * `validation/`, 28×28 grayscale JPEGs, plus `labels.txt`, `LICENSE` and `PROVENANCE.md`.
 * The output depends only on the source files and the package version, so rebuilding it
 * reproduces the same bytes.
 */
export async function buildFashionMnistSamples(options: BuildOptions): Promise<BuildSummary> {
  const sourceDir = options.sourceDir ?? DEFAULT_SOURCE_DIR;
  const copyrightFile = options.copyrightFile ?? DEFAULT_COPYRIGHT_FILE;
  checkSourcesExist(sourceDir, copyrightFile);
  const packageVersion = readPackageVersion();
  const copyrightText = await readFile(copyrightFile, 'utf8');
  const upstreamSource = parseDebianCopyright(copyrightText).find((paragraph) => paragraph.has('Source'))?.get('Source')?.[0];

  const sourceFiles: SourceFile[] = [];
  for (const name of SPLITS.flatMap((split) => [split.imagesFile, split.labelsFile])) {
    const sha256 = createHash('sha256').update(await readFile(path.join(sourceDir, name))).digest('hex');
    sourceFiles.push({ name, sha256 });
  }

  await rm(options.outputDir, { recursive: true, force: true });
  await mkdir(options.outputDir, { recursive: true });
  const imagesPerSplit = { train: 0, validation: 0 };
  for (const split of SPLITS) {
    imagesPerSplit[split.name] = await writeSplit(split, sourceDir, options.outputDir);
  }

  const summary: BuildSummary = { packageVersion, upstreamSource, sourceFiles, imagesPerSplit };
  await writeFile(path.join(options.outputDir, 'labels.txt'), `${CLASS_NAMES.join('\n')}\n`);
  await writeFile(path.join(options.outputDir, 'LICENSE'), renderLicense(copyrightText));
  await writeFile(path.join(options.outputDir, 'PROVENANCE.md'), renderProvenance(summary, sourceDir));
  return summary;
}
