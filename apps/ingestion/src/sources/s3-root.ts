import type { ObjectStore } from '@inception/storage';
import { ImportError } from '../domain/errors.js';
import { compareCodePoints, isHiddenName, type ClassFolderRoot, type ClassFolderScan, type ScanSkip, type SourceFile } from './types.js';

/**
 * Lists `<prefix><class>/<file>` objects as class folders, the same layout as a local root.
 * Objects directly under the prefix are ignored, as loose files are, and so are keys ending in
 * "/" (folder markers that some tools write). A deeper key is reported once per sub-folder as a
 * nested folder. An empty listing is NOT_FOUND, since S3 has no empty folders.
 */
export async function scanS3ClassFolders(store: ObjectStore, prefix: string, description: string): Promise<ClassFolderScan> {
  const classNames = new Set<string>();
  const files: SourceFile[] = [];
  const skipped: ScanSkip[] = [];
  const nestedReported = new Set<string>();
  let objects = 0;

  for await (const object of store.list(prefix)) {
    objects += 1;
    const relative = object.key.slice(prefix.length);
    const parts = relative.split('/');
    if (parts.length < 2 || isHiddenName(parts[0]) || parts[0] === '') {
      continue;
    }
    const className = parts[0].normalize('NFC');
    classNames.add(className);
    const name = parts[1].normalize('NFC');
    const relativePath = `${className}/${name}`;
    if (name === '') {
      continue;
    }
    if (parts.length > 2) {
      if (!nestedReported.has(relativePath)) {
        nestedReported.add(relativePath);
        skipped.push({ className, relativePath, reason: 'nested-folder', detail: 'a folder inside a class folder; only objects directly inside class folders are imported' });
      }
    } else if (isHiddenName(name)) {
      skipped.push({ className, relativePath, reason: 'hidden-file', detail: 'hidden or system file' });
    } else {
      files.push({ className, relativePath, sizeBytes: object.sizeBytes, read: () => store.getBytes(object.key) });
    }
  }
  if (objects === 0) {
    throw new ImportError('not-found', `${description}: no objects under s3://${store.bucket}/${prefix}`);
  }

  files.sort((a, b) => compareCodePoints(a.className, b.className) || compareCodePoints(a.relativePath, b.relativePath));
  return { classNames: [...classNames].sort(compareCodePoints), files, skipped };
}

/** Returns the class-folder root under an S3 prefix, with `prefix` normalised to end in "/". */
export function s3FolderRoot(store: ObjectStore, prefix: string, description: string): ClassFolderRoot {
  const folderPrefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return { description, scan: () => scanS3ClassFolders(store, folderPrefix, description) };
}
