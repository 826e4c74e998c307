import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { BuildImageDataError } from './errors.js';
import type { LabelEntry } from './labels.js';

/** One input file with its class. */
export interface ImageFile {
  path: string;
  label: number;
  text: string;
}

/** Files of one split, in labels-file order and then by name, before the shuffle. */
export interface SplitFiles {
  directory: string;
  files: ImageFile[];
}

/**
 * Lists `<directory>/<class>/*` for every class in labels order, each folder's entries sorted by
 * the UTF-8 bytes of their names. Every entry counts, as TensorFlow's glob `*` takes every name
 * including dot files; one that is not an image is skipped later and reported.
 *
 * Fails, before anything is written, when a class has no folder or when a folder that is not
 * hidden has no line in the labels file. `build_image_data.py` silently finds no files for the
 * first and ignores the second.
 */
export async function findImageFiles(directory: string, flag: string, labels: LabelEntry[], labelsFile: string): Promise<SplitFiles> {
  const classFolders = await listClassFolders(directory, flag);

  for (const entry of labels) {
    if (!classFolders.has(entry.text)) {
      throw new BuildImageDataError(
        `labels file ${labelsFile} line ${entry.lineNumber}: class "${entry.text}" has no folder ${path.join(directory, entry.text)}. ` +
          'Create the folder or remove the line',
      );
    }
  }
  const labelTexts = new Set(labels.map((entry) => entry.text));
  for (const folder of [...classFolders].sort()) {
    if (!labelTexts.has(folder)) {
      throw new BuildImageDataError(
        `folder ${path.join(directory, folder)} has no line in labels file ${labelsFile}. Add "${folder}" to the labels file or move the folder`,
      );
    }
  }

  const files: ImageFile[] = [];
  for (const entry of labels) {
    const folder = path.join(directory, entry.text);
    const names = (await readdir(folder)).sort(compareUtf8);
    for (const name of names) {
      files.push({ path: path.join(folder, name), label: entry.label, text: entry.text });
    }
  }
  return { directory, files };
}

// Names of the sub-folders of `directory` (symbolic links to folders included), hidden ones left out.
async function listClassFolders(directory: string, flag: string): Promise<Set<string>> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw new BuildImageDataError(`${flag} ${directory}: cannot list the folder: ${(error as Error).message}`);
  }

  const folders = new Set<string>();
  for (const entry of entries) {
    if (entry.name.startsWith('.')) {
      continue;
    }
    const isFolder = entry.isDirectory() || (entry.isSymbolicLink() && (await isFolderPath(path.join(directory, entry.name))));
    if (isFolder) {
      folders.add(entry.name);
    }
  }
  return folders;
}

async function isFolderPath(target: string): Promise<boolean> {
  try {
    return (await stat(target)).isDirectory();
  } catch {
    return false;
  }
}

/** Orders names by their UTF-8 bytes, which is code point order, as Python's `sorted` orders str. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
