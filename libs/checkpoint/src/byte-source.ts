import { open, stat } from 'node:fs/promises';
import path from 'node:path';

import { CheckpointError } from './errors.js';

/**
 * Random-access bytes of one file. Readers fetch only the ranges they need, so a source backed by
 * ranged GET requests keeps a large checkpoint out of memory.
 */
export interface ByteSource {
  /** Name used in error messages, such as the file's path or object key. */
  readonly name: string;
  readonly sizeBytes: number;
  /** Returns exactly `lengthBytes` bytes from `offsetBytes`, or throws when the range passes the end. */
  read(offsetBytes: number, lengthBytes: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Where a checkpoint's files live. Paths are joined with `/`, so a prefix such as
 * `models/m/v1/model.ckpt` works for object keys as well as for local paths.
 */
export interface CheckpointFileSystem {
  /** Opens a regular file, or returns undefined when none exists at `filePath`. */
  open(filePath: string): Promise<ByteSource | undefined>;
}

/** Wraps bytes already in memory, for example an object fetched from storage. */
export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    sizeBytes: bytes.length,
    read: async (offsetBytes, lengthBytes) => {
      assertInRange(name, bytes.length, offsetBytes, lengthBytes);
      return bytes.subarray(offsetBytes, offsetBytes + lengthBytes);
    },
    close: async () => {},
  };
}

/** Opens a local file for ranged reads. The file stays open until `close()`. */
export async function openFileSource(filePath: string): Promise<ByteSource> {
  const handle = await open(filePath, 'r');
  const { size } = await handle.stat();
  return {
    name: filePath,
    sizeBytes: size,
    read: async (offsetBytes, lengthBytes) => {
      assertInRange(filePath, size, offsetBytes, lengthBytes);
      const buffer = new Uint8Array(lengthBytes);
      let filled = 0;
      while (filled < lengthBytes) {
        const { bytesRead } = await handle.read(buffer, filled, lengthBytes - filled, offsetBytes + filled);
        if (bytesRead === 0) {
          throw new CheckpointError({ fileName: filePath, check: 'truncated', detail: `file ended at byte ${offsetBytes + filled} while reading ${lengthBytes} bytes from offset ${offsetBytes}` });
        }
        filled += bytesRead;
      }
      return buffer;
    },
    close: () => handle.close(),
  };
}

/** The local file system: `open` returns undefined for a missing path or a directory. */
export const localFileSystem: CheckpointFileSystem = {
  open: async (filePath) => {
    const stats = await stat(filePath).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    return stats?.isFile() ? openFileSource(path.normalize(filePath)) : undefined;
  },
};

/**
 * A file system over files already in memory, keyed by path, such as the objects of a checkpoint
 * prefix downloaded from object storage.
 */
export function memoryFileSystem(files: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>): CheckpointFileSystem {
  const byPath = files instanceof Map ? files : new Map(Object.entries(files));
  return {
    open: async (filePath) => {
      const bytes = byPath.get(filePath);
      return bytes === undefined ? undefined : bytesSource(filePath, bytes);
    },
  };
}

function assertInRange(name: string, sizeBytes: number, offsetBytes: number, lengthBytes: number): void {
  if (!Number.isSafeInteger(offsetBytes) || !Number.isSafeInteger(lengthBytes) || offsetBytes < 0 || lengthBytes < 0) {
    throw new CheckpointError({ fileName: name, check: 'corrupt', detail: `invalid byte range: offset ${offsetBytes}, length ${lengthBytes}` });
  }
  if (offsetBytes + lengthBytes > sizeBytes) {
    throw new CheckpointError({ fileName: name, check: 'truncated', detail: `range [${offsetBytes}, ${offsetBytes + lengthBytes}) passes the end of the ${sizeBytes}-byte file` });
  }
}
