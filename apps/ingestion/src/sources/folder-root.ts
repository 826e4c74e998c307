import type { Dirent, Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ImportError } from '../domain/errors.js';
import { compareCodePoints, isHiddenName, type ClassFolderRoot, type ClassFolderScan, type SourceFile, type ScanSkip } from './types.js';

/** Reads the entry's type, following a symbolic link; undefined for a dangling link. */
async function kindOf(folder: string, entry: Dirent): Promise<'file' | 'folder' | 'other' | undefined> {
  let info: Dirent | Stats = entry;
  if (entry.isSymbolicLink()) {
    const target = await stat(path.join(folder, entry.name)).catch(() => undefined);
    if (!target) return undefined;
    info = target;
  }
  if (info.isFile()) return 'file';
  if (info.isDirectory()) return 'folder';
  return 'other';
}

async function listFolder(folder: string): Promise<Dirent[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries.sort((a, b) => compareCodePoints(a.name, b.name));
}

/**
 * Lists `<root>/<class>/<file>` in the flower_photos layout: one folder per class, images directly
 * inside. Files beside the class folders (such as LICENSE.txt) and hidden folders are ignored.
 * Inside a class folder, hidden files, sub-folders and entries that are not files are reported
 * as skipped; symbolic links are followed, as Python's glob does.
 */
export async function scanLocalClassFolders(root: string): Promise<ClassFolderScan> {
  const classFolders: Array<{ className: string; folder: string }> = [];
  for (const entry of await listFolder(root)) {
    if (!isHiddenName(entry.name) && (await kindOf(root, entry)) === 'folder') {
      classFolders.push({ className: entry.name.normalize('NFC'), folder: path.join(root, entry.name) });
    }
  }

  const files: SourceFile[] = [];
  const skipped: ScanSkip[] = [];
  for (const { className, folder } of classFolders) {
    for (const entry of await listFolder(folder)) {
      const relativePath = `${className}/${entry.name.normalize('NFC')}`;
      const absolutePath = path.join(folder, entry.name);
      const kind = await kindOf(folder, entry);
      if (isHiddenName(entry.name)) {
        skipped.push({ className, relativePath, reason: 'hidden-file', detail: 'hidden or system file' });
      } else if (kind === 'folder') {
        skipped.push({ className, relativePath, reason: 'nested-folder', detail: 'a folder inside a class folder; only files directly inside class folders are imported' });
      } else if (kind === 'file') {
        const { size } = await stat(absolutePath);
        files.push({ className, relativePath, sizeBytes: size, read: () => readFile(absolutePath) });
      } else {
        skipped.push({ className, relativePath, reason: 'not-a-file', detail: kind === undefined ? 'symbolic link to nothing' : 'not a regular file' });
      }
    }
  }
  return { classNames: classFolders.map((entry) => entry.className), files, skipped };
}

/**
 * Returns the folder that contains the class folders of an unpacked archive. That is the
 * archive's single top folder when it has one that itself contains folders, else the unpack
 * folder: flower_photos.tgz has `flower_photos/`, with LICENSE.txt beside the class folders
 * inside it. Loose files and hidden folders such as __MACOSX do not count.
 */
export async function findClassFolderRoot(unpackDir: string): Promise<string> {
  const folders = (await listFolder(unpackDir)).filter((entry) => entry.isDirectory() && !isHiddenName(entry.name));
  if (folders.length !== 1) {
    return unpackDir;
  }
  const top = path.join(unpackDir, folders[0].name);
  const inside = await listFolder(top);
  return inside.some((entry) => entry.isDirectory() && !isHiddenName(entry.name)) ? top : unpackDir;
}

/** Returns the class-folder root of a folder on the service's file system. */
export function localFolderRoot(folder: string, description: string): ClassFolderRoot {
  return {
    description,
    async scan() {
      try {
        return await scanLocalClassFolders(folder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new ImportError('not-found', `${description}: folder ${folder} not found`, { cause: error });
        }
        throw error;
      }
    },
  };
}
