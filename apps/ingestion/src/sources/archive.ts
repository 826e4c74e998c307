import { open, rm } from 'node:fs/promises';
import { ImportError } from '../domain/errors.js';
import { findClassFolderRoot } from './folder-root.js';
import { unpackTar } from './tar-archive.js';
import { UnpackTarget, type ArchiveLimits } from './unpack-target.js';
import { makeWorkDir } from './work-dir.js';
import { unpackZip } from './zip-archive.js';

export type ArchiveFormat = 'tar' | 'tar.gz' | 'zip';

/** File names that mark an archive, for S3 keys whose bytes are not read before the choice. */
export const ARCHIVE_NAME_PATTERN = /\.(tgz|tar\.gz|tar|zip)$/i;

// Offset of the "ustar" magic in a POSIX tar header.
const USTAR_MAGIC_OFFSET = 257;

/** Detects the archive format from the first bytes of `file`, or returns undefined. */
export async function detectArchiveFormat(file: string): Promise<ArchiveFormat | undefined> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(512);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    const bytes = header.subarray(0, bytesRead);
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'tar.gz';
    if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) return 'zip';
    // An empty zip is only its end-of-central-directory record.
    if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x06054b50) return 'zip';
    if (bytes.subarray(USTAR_MAGIC_OFFSET, USTAR_MAGIC_OFFSET + 5).toString('latin1') === 'ustar') return 'tar';
    return undefined;
  } finally {
    await handle.close();
  }
}

export interface UnpackedArchive {
  /** The unpack folder, or its single top folder when the archive has one (see findClassFolderRoot). */
  root: string;
  format: ArchiveFormat;
  entries: number;
  unpackedBytes: number;
  /** Deletes the unpack folder. */
  remove(): Promise<void>;
}

/**
 * Unpacks a tar, gzip-compressed tar or zip archive into a new folder under `workDir`. Throws
 * INVALID_ARGUMENT naming the archive when its bytes are no such archive or an entry is
 * unsafe, and RESOURCE_EXHAUSTED when it passes `limits`. The folder is deleted on failure.
 */
export async function unpackArchive(file: string, archiveName: string, workDir: string, limits: ArchiveLimits, signal?: AbortSignal): Promise<UnpackedArchive> {
  const format = await detectArchiveFormat(file);
  if (!format) {
    throw new ImportError('invalid-argument', `${archiveName} is neither a tar, gzip-compressed tar nor zip archive (checked from its first bytes)`);
  }

  const dir = await makeWorkDir(workDir, 'unpack');
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const target = new UnpackTarget(archiveName, dir, limits);
    if (format === 'zip') {
      await unpackZip(file, target, signal);
    } else {
      await unpackTar(file, target, signal);
    }
    await target.materializeLinks();
    return { root: await findClassFolderRoot(dir), format, entries: target.entries, unpackedBytes: target.unpackedBytes, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
