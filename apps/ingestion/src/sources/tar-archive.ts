import { createReadStream } from 'node:fs';
import { Parser, type ReadEntry } from 'tar';
import { ImportError } from '../domain/errors.js';
import { hardlinkTargetPath, safeEntryPath, symlinkTargetPath } from './entry-path.js';
import type { UnpackTarget } from './unpack-target.js';

// Pax and GNU long-name headers above this size are rejected; real ones hold a few paths.
const MAX_META_ENTRY_BYTES = 1024 * 1024;

/**
 * Unpacks a tar archive, plain or gzip-compressed (detected from its bytes), into `target`.
 * Every entry name and link target is checked before anything is written, and the first unsafe
 * entry or exceeded limit aborts the whole archive with an error naming that entry. Device,
 * FIFO and other special entries are left out.
 */
export async function unpackTar(file: string, target: UnpackTarget, signal?: AbortSignal): Promise<void> {
  const writes: Array<Promise<void>> = [];
  // Stops the file writes still running: an aborted parser never ends the entry being written.
  const stopWrites = new AbortController();
  let failure: unknown;
  const parser = new Parser({ strict: true, maxMetaEntrySize: MAX_META_ENTRY_BYTES, onReadEntry: (entry) => readEntry(entry) });
  const fail = (error: unknown) => {
    if (failure === undefined) {
      failure = error;
      parser.abort(error instanceof Error ? error : new Error(String(error)));
      stopWrites.abort();
    }
  };

  function readEntry(entry: ReadEntry): void {
    if (failure !== undefined) {
      entry.resume();
      return;
    }
    try {
      target.countEntry(entry.path);
      const entryPath = safeEntryPath(target.archiveName, entry.path);
      switch (entry.type) {
        case 'File':
        case 'OldFile':
        case 'ContiguousFile':
          target.reserveBytes(entryPath, entry.size);
          writes.push(target.writeFile(entryPath, entry as unknown as NodeJS.ReadableStream, stopWrites.signal).catch(fail));
          return;
        case 'Directory':
          writes.push(target.makeDirectory(entryPath).catch(fail));
          break;
        case 'SymbolicLink':
          target.addLink(entryPath, symlinkTargetPath(target.archiveName, entryPath, entry.linkpath ?? ''));
          break;
        case 'Link':
          target.addLink(entryPath, hardlinkTargetPath(target.archiveName, entryPath, entry.linkpath ?? ''));
          break;
        default:
          break;
      }
    } catch (error) {
      fail(error);
    }
    entry.resume();
  }

  const input = createReadStream(file);
  const onAbort = () => fail(new ImportError('invalid-argument', `${target.archiveName}: unpacking stopped: ${String(signal?.reason ?? 'aborted')}`));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      parser.on('error', reject);
      parser.on('end', () => resolve());
      input.on('error', reject);
      input.pipe(parser as unknown as NodeJS.WritableStream);
    });
    await Promise.all(writes);
  } catch (error) {
    failure ??= error;
    input.destroy();
    stopWrites.abort();
    await Promise.allSettled(writes);
    throw asArchiveError(failure, target.archiveName);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== undefined) {
    throw asArchiveError(failure, target.archiveName);
  }
}

function asArchiveError(error: unknown, archiveName: string): unknown {
  if (error instanceof ImportError) {
    return error;
  }
  const code = (error as { code?: string }).code ?? '';
  if (code.startsWith('TAR_') || code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') {
    return new ImportError('invalid-argument', `${archiveName}: not a readable tar archive: ${(error as Error).message}`, { cause: error });
  }
  return error;
}
