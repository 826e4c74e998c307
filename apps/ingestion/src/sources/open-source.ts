import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isS3Uri, parseS3Uri, type ObjectStore } from '@inception/storage';
import { ImportError } from '../domain/errors.js';
import { ARCHIVE_NAME_PATTERN, unpackArchive } from './archive.js';
import { localFolderRoot } from './folder-root.js';
import { s3FolderRoot } from './s3-root.js';
import type { ClassFolderRoot } from './types.js';
import type { ArchiveLimits } from './unpack-target.js';
import { makeWorkDir } from './work-dir.js';

/** Settings and callbacks that opening a source takes from the service. */
export interface SourceContext {
  /** Folder for downloaded and unpacked archives. */
  workDir: string;
  limits: ArchiveLimits & {
    /** Largest archive object downloaded from S3, in bytes. */
    maxArchiveBytes: number;
  };
  /** An ObjectStore on `bucket` with the service's endpoint and credentials. */
  openBucket(bucket: string): ObjectStore;
  signal?: AbortSignal;
  /** Called before an archive is downloaded or unpacked, for progress. */
  onUnpack?(): void;
}

export interface OpenedSource {
  root: ClassFolderRoot;
  /** Kind of location: a folder, an archive file, or an S3 prefix or archive object. */
  kind: 'folder' | 'archive' | 's3';
  /** Deletes what opening the source wrote to `workDir`. */
  close(): Promise<void>;
}

/**
 * Opens a class-folder root named by a request field: an absolute folder or archive path on the
 * service's file system, an s3://bucket/prefix of class folders, or an s3:// key of one archive
 * (named .tar, .tar.gz, .tgz or .zip). Archives are unpacked under `context.workDir`.
 * Throws INVALID_ARGUMENT or NOT_FOUND naming the field and the value.
 */
export async function openSource(location: string, field: string, context: SourceContext): Promise<OpenedSource> {
  if (isS3Uri(location)) {
    return openS3Source(location, field, context);
  }
  if (!path.isAbsolute(location)) {
    throw new ImportError('invalid-argument', `${field} "${location}" is not an absolute path on the ingestion server or an s3:// URI`);
  }
  const info = await stat(location).catch(() => undefined);
  if (!info) {
    throw new ImportError('not-found', `${field} "${location}" does not exist on the ingestion server`);
  }
  if (info.isDirectory()) {
    return { root: localFolderRoot(location, location), kind: 'folder', close: async () => {} };
  }
  if (!info.isFile()) {
    throw new ImportError('invalid-argument', `${field} "${location}" is neither a folder nor an archive file`);
  }
  return openArchiveFile(location, location, context);
}

/** Unpacks an archive file and returns its class-folder root. */
export async function openArchiveFile(file: string, description: string, context: SourceContext): Promise<OpenedSource> {
  context.onUnpack?.();
  const archive = await unpackArchive(file, description, context.workDir, context.limits, context.signal);
  return { root: localFolderRoot(archive.root, description), kind: 'archive', close: archive.remove };
}

async function openS3Source(location: string, field: string, context: SourceContext): Promise<OpenedSource> {
  let uri;
  try {
    uri = parseS3Uri(location);
  } catch (error) {
    throw new ImportError('invalid-argument', `${field}: ${(error as Error).message}`, { cause: error });
  }
  const store = context.openBucket(uri.bucket);
  if (!ARCHIVE_NAME_PATTERN.test(uri.key)) {
    return { root: s3FolderRoot(store, uri.key, location), kind: 's3', close: async () => {} };
  }

  const object = await store.stat(uri.key);
  if (!object) {
    throw new ImportError('not-found', `${field} "${location}": archive object not found`);
  }
  if (object.sizeBytes > context.limits.maxArchiveBytes) {
    throw new ImportError('resource-exhausted', `${field} "${location}" is ${object.sizeBytes} bytes, more than the limit of ${context.limits.maxArchiveBytes} (INGESTION_MAX_UPLOAD_BYTES)`);
  }
  context.onUnpack?.();
  // The download is deleted once unpacked; only the unpack folder lives as long as the import.
  const dir = await makeWorkDir(context.workDir, 'download');
  try {
    const file = path.join(dir, 'archive');
    await pipeline(await store.getStream(uri.key), createWriteStream(file), { signal: context.signal });
    return { ...(await openArchiveFile(file, location, context)), kind: 's3' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
