import path from 'node:path';
import { ImportError } from '../domain/errors.js';

/**
 * Returns the archive entry name as a relative path inside the unpack folder, with "/"
 * separators and without "." segments, or "" for the archive root itself.
 *
 * Throws INVALID_ARGUMENT naming the archive and the entry when the name is absolute (a leading
 * "/", "\" or drive letter), contains a ".." segment, or contains a NUL character, since any of
 * these could write outside the unpack folder.
 */
export function safeEntryPath(archiveName: string, entryName: string): string {
  if (entryName.includes('\0')) {
    throw new ImportError('invalid-argument', `${archiveName}: entry "${entryName.replaceAll('\0', '\\0')}" has a NUL character in its name`);
  }
  if (entryName.startsWith('/') || entryName.startsWith('\\') || /^[A-Za-z]:/.test(entryName)) {
    throw new ImportError('invalid-argument', `${archiveName}: entry "${entryName}" has an absolute path; archives must hold relative paths only`);
  }
  const segments = entryName.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) {
    throw new ImportError('invalid-argument', `${archiveName}: entry "${entryName}" contains "..", which would escape the unpack folder`);
  }
  return segments.join('/');
}

/**
 * Resolves the target of a symbolic link entry against the folder that contains the link and
 * returns it as a relative path inside the unpack folder. Throws INVALID_ARGUMENT naming the
 * entry when the target is absolute or points outside the unpack folder.
 */
export function symlinkTargetPath(archiveName: string, entryPath: string, target: string): string {
  if (target.startsWith('/') || target.startsWith('\\') || /^[A-Za-z]:/.test(target)) {
    throw new ImportError('invalid-argument', `${archiveName}: symbolic link "${entryPath}" points to the absolute path "${target}", outside the unpack folder`);
  }
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(entryPath), target));
  if (resolved === '..' || resolved.startsWith('../')) {
    throw new ImportError('invalid-argument', `${archiveName}: symbolic link "${entryPath}" points to "${target}", outside the unpack folder`);
  }
  return resolved === '.' ? '' : resolved;
}

/**
 * Resolves the target of a hard link entry, which tar records relative to the archive root.
 * Throws INVALID_ARGUMENT naming the entry when the target is absolute or escapes the root.
 */
export function hardlinkTargetPath(archiveName: string, entryPath: string, target: string): string {
  try {
    return safeEntryPath(archiveName, target);
  } catch (error) {
    throw new ImportError('invalid-argument', `${archiveName}: hard link "${entryPath}" points to "${target}", outside the unpack folder`, { cause: error });
  }
}
