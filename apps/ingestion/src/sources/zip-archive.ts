import type { Readable } from 'node:stream';
import yauzl, { type Entry } from 'yauzl';
import { ImportError } from '../domain/errors.js';
import { safeEntryPath, symlinkTargetPath } from './entry-path.js';
import type { UnpackTarget } from './unpack-target.js';

// Maximum length of a symbolic link target read from a zip entry, in bytes: PATH_MAX on Linux.
const MAX_LINK_TARGET_BYTES = 4096;
// Unix file type bits of the external attributes, which zip tools on Unix store in the high 16 bits.
const UNIX_FILE_TYPE_MASK = 0o170000;
const UNIX_SYMLINK_TYPE = 0o120000;
const MADE_BY_UNIX = 3;

function isSymlink(entry: Entry): boolean {
  const madeBy = entry.versionMadeBy >>> 8;
  return madeBy === MADE_BY_UNIX && ((entry.externalFileAttributes >>> 16) & UNIX_FILE_TYPE_MASK) === UNIX_SYMLINK_TYPE;
}

async function readLinkTarget(stream: Readable, archiveName: string, entryPath: string): Promise<string> {
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  for await (const chunk of stream) {
    sizeBytes += (chunk as Buffer).length;
    if (sizeBytes > MAX_LINK_TARGET_BYTES) {
      stream.destroy();
      throw new ImportError('invalid-argument', `${archiveName}: symbolic link "${entryPath}" has a target longer than ${MAX_LINK_TARGET_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Unpacks a zip archive into `target`, entry by entry. The entry count from the central
 * directory is checked before anything is written. Names are decoded as UTF-8 when the entry
 * sets the UTF-8 flag or has an Info-ZIP Unicode path field, else as CP437, and are then checked
 * like tar names. yauzl checks that each entry's data has its declared size, so a small declared
 * size cannot hide a zip bomb. Encrypted entries are rejected.
 */
export async function unpackZip(file: string, target: UnpackTarget, signal?: AbortSignal): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false });
  } catch (error) {
    throw new ImportError('invalid-argument', `${target.archiveName}: not a readable zip archive: ${(error as Error).message}`, { cause: error });
  }

  try {
    target.checkDeclaredEntryCount(zip.entryCount);
    for await (const entry of zip.eachEntry()) {
      signal?.throwIfAborted();
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      target.countEntry(name);
      const entryPath = safeEntryPath(target.archiveName, name);
      if (name.endsWith('/')) {
        await target.makeDirectory(entryPath);
        continue;
      }
      if (entry.isEncrypted()) {
        throw new ImportError('invalid-argument', `${target.archiveName}: entry "${name}" is encrypted; unpack it with its password and upload the plain archive`);
      }
      if (!entry.canDecodeFileData()) {
        throw new ImportError('invalid-argument', `${target.archiveName}: entry "${name}" uses compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are supported`);
      }
      if (isSymlink(entry)) {
        const linkTarget = await readLinkTarget(await zip.openReadStreamPromise(entry), target.archiveName, entryPath);
        target.addLink(entryPath, symlinkTargetPath(target.archiveName, entryPath, linkTarget));
        continue;
      }
      target.reserveBytes(entryPath, entry.uncompressedSize);
      await target.writeFile(entryPath, await zip.openReadStreamPromise(entry), signal);
    }
  } catch (error) {
    // yauzl's own errors carry no errno code; file system and abort errors pass unchanged.
    if (error instanceof ImportError || (error as NodeJS.ErrnoException).code !== undefined || (error as Error).name === 'AbortError') {
      throw error;
    }
    throw new ImportError('invalid-argument', `${target.archiveName}: not a readable zip archive: ${(error as Error).message}`, { cause: error });
  } finally {
    zip.close();
  }
}
