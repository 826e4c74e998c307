import { createWriteStream } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ImportError } from '../domain/errors.js';

/** Limits on what one archive may unpack to. */
export interface ArchiveLimits {
  /** Maximum number of entries (files, folders, links) in one archive. */
  maxEntries: number;
  /** Maximum bytes its files may add up to. */
  maxUnpackedBytes: number;
}

// Following link chains stops after this many steps, so a cycle of links cannot loop forever.
const MAX_LINK_DEPTH = 16;

const NOT_AN_ARCHIVE_PROBLEM_CODES = new Set(['ENAMETOOLONG', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EILSEQ']);

/**
 * The folder an archive is unpacked into, with the entry and byte limits checked as entries
 * arrive. Nothing written here is a link: a link entry whose target is a file of the archive
 * becomes a copy of that file once every entry is written, and a link to a folder, or to
 * nothing, is left out. So no later entry can write through a link to a place outside the
 * folder.
 */
export class UnpackTarget {
  entries = 0;
  unpackedBytes = 0;
  private readonly files = new Set<string>();
  private readonly links = new Map<string, string>();

  constructor(
    readonly archiveName: string,
    readonly dir: string,
    private readonly limits: ArchiveLimits,
  ) {}

  /** Counts one entry; throws RESOURCE_EXHAUSTED naming the entry once the limit is passed. */
  countEntry(entryName: string): void {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      throw new ImportError(
        'resource-exhausted',
        `${this.archiveName}: entry "${entryName}" is number ${this.entries}, more than the limit of ${this.limits.maxEntries} entries (INGESTION_MAX_ARCHIVE_ENTRIES)`,
      );
    }
  }

  /** Throws RESOURCE_EXHAUSTED when an archive's directory declares more entries than the limit. */
  checkDeclaredEntryCount(count: number): void {
    if (count > this.limits.maxEntries) {
      throw new ImportError('resource-exhausted', `${this.archiveName}: declares ${count} entries, more than the limit of ${this.limits.maxEntries} (INGESTION_MAX_ARCHIVE_ENTRIES)`);
    }
  }

  /** Adds a file's size to the total; throws RESOURCE_EXHAUSTED naming the entry past the limit. */
  reserveBytes(entryPath: string, sizeBytes: number): void {
    this.unpackedBytes += sizeBytes;
    if (this.unpackedBytes > this.limits.maxUnpackedBytes) {
      throw new ImportError(
        'resource-exhausted',
        `${this.archiveName}: entry "${entryPath}" (${sizeBytes} bytes) brings the unpacked size to ${this.unpackedBytes} bytes, more than the limit of ${this.limits.maxUnpackedBytes} (INGESTION_MAX_UNPACKED_BYTES)`,
      );
    }
  }

  async makeDirectory(entryPath: string): Promise<void> {
    await this.guard(entryPath, () => mkdir(path.join(this.dir, entryPath), { recursive: true }));
  }

  /** Writes one file entry from its data stream; aborting `signal` destroys both streams. */
  async writeFile(entryPath: string, data: NodeJS.ReadableStream, signal?: AbortSignal): Promise<void> {
    if (entryPath === '') {
      throw new ImportError('invalid-argument', `${this.archiveName}: a file entry has an empty name`);
    }
    const target = path.join(this.dir, entryPath);
    await this.guard(entryPath, async () => {
      await mkdir(path.dirname(target), { recursive: true });
      await pipeline(data, createWriteStream(target), { signal });
    });
    this.files.add(entryPath);
    this.links.delete(entryPath);
  }

  /** Records a link entry whose target was already checked to lie inside the folder. */
  addLink(entryPath: string, targetPath: string): void {
    this.links.set(entryPath, targetPath);
  }

  /** Copies the file behind every link that ends at a file of the archive; returns the links left out. */
  async materializeLinks(): Promise<string[]> {
    const leftOut: string[] = [];
    for (const [entryPath, firstTarget] of this.links) {
      let target = firstTarget;
      for (let depth = 0; depth < MAX_LINK_DEPTH && this.links.has(target); depth += 1) {
        target = this.links.get(target)!;
      }
      if (!this.files.has(target)) {
        leftOut.push(entryPath);
        continue;
      }
      await this.guard(entryPath, async () => {
        await mkdir(path.dirname(path.join(this.dir, entryPath)), { recursive: true });
        await copyFile(path.join(this.dir, target), path.join(this.dir, entryPath));
      });
    }
    return leftOut;
  }

  private async guard(entryPath: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        throw new ImportError('resource-exhausted', `${this.archiveName}: no space left to unpack entry "${entryPath}" into ${this.dir}`, { cause: error });
      }
      if (NOT_AN_ARCHIVE_PROBLEM_CODES.has(code)) {
        throw new ImportError('invalid-argument', `${this.archiveName}: cannot unpack entry "${entryPath}": ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
  }
}
