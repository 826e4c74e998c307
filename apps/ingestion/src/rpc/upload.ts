import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { UploadDatasetRequest, UploadHeader } from '@inception/proto';
import { requireName, type CallContext } from '@inception/rpc';
import { ImportError } from '../domain/errors.js';
import type { ImportRun } from '../domain/import-progress.js';
import type { ImportResult } from '../domain/import-dataset.js';
import { unpackArchive } from '../sources/archive.js';
import { localFolderRoot } from '../sources/folder-root.js';
import { makeWorkDir } from '../sources/work-dir.js';
import { splitPolicyFrom } from './convert.js';
import { toServiceError } from './errors.js';
import { labelSourceFrom, runImport, validateImportId, type ImportEnvironment, type ImportSpec, type OpenedRoots } from './import-runner.js';

/** Largest chunk message accepted, in bytes; the header documents this limit to clients. */
export const MAX_UPLOAD_CHUNK_BYTES = 1024 * 1024;

const SHA256_PATTERN = /^[0-9a-f]{64}$/;

function validateHeader(header: UploadHeader, maxUploadBytes: number): void {
  requireName(header.name, 'header.name');
  if (header.fileName === '' || header.fileName.includes('/') || header.fileName.includes('\\')) {
    throw new ImportError('invalid-argument', `header.file_name "${header.fileName}" must be a bare file name such as flower_photos.tgz`);
  }
  if (header.sizeBytes === 0n) {
    throw new ImportError('invalid-argument', 'header.size_bytes is 0; send the archive size in bytes');
  }
  if (header.sizeBytes > BigInt(maxUploadBytes)) {
    throw new ImportError('resource-exhausted', `header.size_bytes ${header.sizeBytes} is more than the limit of ${maxUploadBytes} bytes (INGESTION_MAX_UPLOAD_BYTES)`);
  }
  if (!SHA256_PATTERN.test(header.sha256)) {
    throw new ImportError('invalid-argument', `header.sha256 "${header.sha256}" is not 64 lower-case hex digits`);
  }
  if (header.splitFolders && header.settings?.split) {
    throw new ImportError('invalid-argument', 'header.settings.split applies only when header.split_folders is false');
  }
  if (!header.splitFolders && !header.settings?.split) {
    throw new ImportError('invalid-argument', 'header.settings.split is required unless header.split_folders is true');
  }
}

async function write(stream: WriteStream, bytes: Uint8Array): Promise<void> {
  if (!stream.write(bytes)) {
    await once(stream, 'drain');
  }
}

/**
 * Writes the chunks after the header to `file`, checking each chunk against the 1 MiB limit and
 * the running total against size_bytes, then the final size and SHA-256 against the header.
 * Throws RESOURCE_EXHAUSTED or INVALID_ARGUMENT naming the chunk, the limit or the values.
 */
async function spool(messages: AsyncIterator<UploadDatasetRequest>, header: UploadHeader, file: string, onBytes: (bytes: number) => void): Promise<number> {
  const hash = createHash('sha256');
  const output = createWriteStream(file);
  const expectedBytes = Number(header.sizeBytes);
  let receivedBytes = 0;
  let chunkNumber = 0;
  try {
    for (let next = await messages.next(); !next.done; next = await messages.next()) {
      chunkNumber += 1;
      const part = next.value.part;
      if (part.case !== 'chunk') {
        throw new ImportError('invalid-argument', `message ${chunkNumber + 1} of the upload is a ${part.case ?? 'empty message'}; only the first message carries the header`);
      }
      if (part.value.length > MAX_UPLOAD_CHUNK_BYTES) {
        throw new ImportError('resource-exhausted', `chunk ${chunkNumber} is ${part.value.length} bytes, more than the limit of ${MAX_UPLOAD_CHUNK_BYTES} bytes per chunk`);
      }
      receivedBytes += part.value.length;
      if (receivedBytes > expectedBytes) {
        throw new ImportError('invalid-argument', `chunk ${chunkNumber} brings the upload to ${receivedBytes} bytes, more than header.size_bytes ${expectedBytes}`);
      }
      hash.update(part.value);
      await write(output, part.value);
      onBytes(part.value.length);
    }
    output.end();
    await finished(output);
  } catch (error) {
    output.destroy();
    throw error;
  }

  if (receivedBytes !== expectedBytes) {
    throw new ImportError('invalid-argument', `the upload ended after ${receivedBytes} bytes, but header.size_bytes is ${expectedBytes}`);
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== header.sha256) {
    throw new ImportError('invalid-argument', `SHA-256 of the ${receivedBytes} received bytes is ${sha256}, but header.sha256 is ${header.sha256}`);
  }
  return receivedBytes;
}

function uploadSpec(header: UploadHeader, file: string, receivedBytes: number): ImportSpec {
  const description = `upload ${header.fileName} (${receivedBytes} bytes, sha256 ${header.sha256})`;
  const labels = labelSourceFrom(header.labels, header.settings?.labelsFile ?? '', 'header');
  const split = header.splitFolders ? undefined : splitPolicyFrom(header.settings!.split!, 'header.settings.split');
  const open = async (context: Parameters<ImportSpec['open']>[0]): Promise<OpenedRoots> => {
    context.onUnpack?.();
    const archive = await unpackArchive(file, header.fileName, context.workDir, context.limits, context.signal);
    if (split) {
      return { roots: { kind: 'single-root', root: localFolderRoot(archive.root, description), split }, source: description, close: archive.remove };
    }
    for (const folder of ['train', 'validation']) {
      const info = await stat(path.join(archive.root, folder)).catch(() => undefined);
      if (!info?.isDirectory()) {
        await archive.remove();
        throw new ImportError('invalid-argument', `${header.fileName} has no ${folder}/ folder, which header.split_folders requires`);
      }
    }
    return {
      roots: {
        kind: 'split-roots',
        train: localFolderRoot(path.join(archive.root, 'train'), `${description}: train/`),
        validation: localFolderRoot(path.join(archive.root, 'validation'), `${description}: validation/`),
      },
      source: description,
      close: archive.remove,
    };
  };
  return { name: header.name, labels, sourceKind: 'upload', open };
}

/** Serves UploadDataset: reads the header, spools and checks the archive, then imports it. */
export async function uploadDataset(environment: ImportEnvironment, requests: AsyncIterable<UploadDatasetRequest>, call: CallContext): Promise<ImportResult & { receivedBytes: number }> {
  const messages = requests[Symbol.asyncIterator]();
  const first = await messages.next();
  if (first.done || first.value.part.case !== 'header') {
    throw toServiceError(new ImportError('invalid-argument', 'the first message of an upload must carry the header'));
  }
  const header = first.value.part.value;
  let run: ImportRun | undefined;
  let dir: string | undefined;
  try {
    validateHeader(header, environment.maxUploadBytes);
    const importId = validateImportId(header.settings?.importId ?? '', 'header.settings.import_id');
    run = importId ? environment.tracker.begin(importId, header.name) : undefined;
    run?.setStage('receiving');

    dir = await makeWorkDir(environment.sources.workDir, 'upload');
    const file = path.join(dir, 'archive');
    const receivedBytes = await spool(messages, header, file, (bytes) => {
      run?.addReceivedBytes(bytes);
      environment.metrics.uploadBytes.inc(bytes);
    });
    const result = await runImport(environment, uploadSpec(header, file, receivedBytes), call, run);
    return { ...result, receivedBytes };
  } catch (error) {
    const mapped = toServiceError(error, call.signal);
    if (run && !run.finished) run.fail(mapped);
    throw mapped;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
