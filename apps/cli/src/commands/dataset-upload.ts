import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ImportSettingsSchema, UploadDatasetRequestSchema } from '@inception/proto';
import { create as createTar } from 'tar';

/** Bytes per UploadDataset chunk: the service rejects chunks above 1 MiB. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

/** An archive ready to upload, with what the header must declare. */
export interface UploadArchive {
  file: string;
  /** File name sent in the header, e.g. "flower_photos.tgz" or "flower_photos.tar" for a packed folder. */
  fileName: string;
  sizeBytes: number;
  sha256: string;
  /** True when the archive contains train/ and validation/ folders. */
  splitFolders: boolean;
  /** Deletes the archive when it was packed for this upload. */
  remove(): Promise<void>;
}

async function digestOf(file: string): Promise<{ sizeBytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { sizeBytes, sha256: hash.digest('hex') };
}

/**
 * Prepares local sources for UploadDataset. One archive file is sent as it is. One folder is
 * packed into a tar of that folder, and two folders are packed as train/ and validation/.
 * Packing writes an uncompressed tar to the system temporary folder, because JPEGs barely
 * compress.
 */
export async function prepareUpload(sources: string[]): Promise<UploadArchive> {
  const kinds = await Promise.all(
    sources.map(async (source) => {
      const info = await stat(source).catch(() => undefined);
      if (!info) throw new Error(`${source} not found: give a local folder or archive to --upload`);
      return info.isDirectory() ? 'folder' : 'file';
    }),
  );

  if (sources.length === 1 && kinds[0] === 'file') {
    return { file: sources[0], fileName: path.basename(sources[0]), ...(await digestOf(sources[0])), splitFolders: false, remove: async () => {} };
  }
  if (kinds.includes('file')) {
    throw new Error('--upload takes one archive, or one or two folders; upload two archives as two datasets or unpack them');
  }

  const dir = await mkdtemp(path.join(tmpdir(), 'inception-upload-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const file = path.join(dir, 'upload.tar');
    let fileName: string;
    if (sources.length === 1) {
      fileName = `${path.basename(sources[0])}.tar`;
      await createTar({ file, cwd: path.dirname(sources[0]), portable: true }, [path.basename(sources[0])]);
    } else {
      // tar cannot rename folders, so links named train and validation are packed with `follow`.
      const staging = path.join(dir, 'staging');
      await mkdir(staging);
      await symlink(sources[0], path.join(staging, 'train'));
      await symlink(sources[1], path.join(staging, 'validation'));
      fileName = 'train-validation.tar';
      await createTar({ file, cwd: staging, portable: true, follow: true }, ['train', 'validation']);
    }
    return { file, fileName, ...(await digestOf(file)), splitFolders: sources.length === 2, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Yields the header, then the archive in chunks of UPLOAD_CHUNK_BYTES, reporting bytes read. */
export async function* uploadMessages(
  archive: UploadArchive,
  header: { name: string; labels?: string[]; settings?: MessageInitShape<typeof ImportSettingsSchema> },
  onBytes: (bytes: number) => void,
): AsyncIterable<MessageInitShape<typeof UploadDatasetRequestSchema>> {
  yield { part: { case: 'header', value: { ...header, fileName: archive.fileName, sizeBytes: BigInt(archive.sizeBytes), sha256: archive.sha256, splitFolders: archive.splitFolders } } };
  for await (const chunk of createReadStream(archive.file, { highWaterMark: UPLOAD_CHUNK_BYTES })) {
    onBytes((chunk as Buffer).length);
    yield { part: { case: 'chunk', value: chunk as Buffer } };
  }
}
