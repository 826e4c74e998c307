import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** One candidate image file found under a split root. */
export interface FoundFile {
  className: string;
  /** Path relative to the split root, with "/" separators. */
  relativePath: string;
  absolutePath: string;
}

export interface FolderScan {
  /** Class folder names, sorted by code point. */
  classNames: string[];
  files: FoundFile[];
  /** Files skipped before decoding, such as macOS "._" companions and .DS_Store. */
  hidden: FoundFile[];
}

const HIDDEN_NAMES = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

export function isHiddenFile(name: string): boolean {
  return name.startsWith('.') || HIDDEN_NAMES.has(name);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Lists `<root>/<class>/<file>` in the flower_photos layout: one folder per class, images directly
 * inside. Loose files beside the class folders (such as LICENSE.txt) are ignored; nested folders
 * inside a class folder are not descended into.
 */
export async function scanClassFolders(root: string): Promise<FolderScan> {
  const entries = await readdir(root, { withFileTypes: true });
  const classNames = entries
    .filter((entry) => entry.isDirectory() && !isHiddenFile(entry.name))
    .map((entry) => entry.name)
    .sort(byCodePoint);

  const files: FoundFile[] = [];
  const hidden: FoundFile[] = [];
  for (const className of classNames) {
    const classDir = path.join(root, className);
    const children = (await readdir(classDir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name).sort(byCodePoint);
    for (const name of children) {
      const found = { className, relativePath: `${className}/${name}`, absolutePath: path.join(classDir, name) };
      (isHiddenFile(name) ? hidden : files).push(found);
    }
  }
  return { classNames, files, hidden };
}
