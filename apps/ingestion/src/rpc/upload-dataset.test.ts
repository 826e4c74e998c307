import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { ImportStage, type ImportProgress, type ImportSettingsSchema, type UploadDatasetRequestSchema } from '@inception/proto';
import { GrpcStatus, ServiceError } from '@inception/rpc';
import { layout } from '@inception/storage';
import { makeTempDir } from '@inception/testing';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UPLOAD_CHUNK_BYTES } from './upload.js';
import { startIngestionHarness, type IngestionHarness } from '../testing/ingestion-harness.js';
import { copySampleClasses, SAMPLE_CLASSES } from '../testing/sample-classes.js';

type UploadMessage = MessageInitShape<typeof UploadDatasetRequestSchema>;

interface HeaderOverrides {
  name?: string;
  fileName?: string;
  sizeBytes?: bigint;
  sha256?: string;
  splitFolders?: boolean;
  settings?: MessageInitShape<typeof ImportSettingsSchema>;
}

const PER_CLASS = 5;
const CHUNK_BYTES = 16 * 1024;
const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;
const SPLIT = { validation: { case: 'validationImagesPerClass' as const, value: 1 } };

let temp: { dir: string; remove: () => Promise<void> };
let harness: IngestionHarness;
let archive: Buffer;
let splitFoldersArchive: Buffer;

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function* uploadMessages(bytes: Buffer, header: HeaderOverrides = {}, chunkBytes = CHUNK_BYTES): Iterable<UploadMessage> {
  yield {
    part: {
      case: 'header',
      value: { name: 'uploaded', fileName: 'flower_photos.tgz', sizeBytes: BigInt(bytes.length), sha256: sha256Of(bytes), settings: { split: SPLIT }, ...header },
    },
  };
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    yield { part: { case: 'chunk', value: bytes.subarray(offset, offset + chunkBytes) } };
  }
}

async function failure(call: Promise<unknown>): Promise<ServiceError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ServiceError)) throw new Error(`expected a ServiceError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  temp = await makeTempDir('inception-ingestion-upload-');
  const single = path.join(temp.dir, 'single');
  await copySampleClasses(path.join(single, 'flower_photos'), PER_CLASS);
  await createTar({ gzip: true, file: path.join(temp.dir, 'single.tgz'), cwd: single, portable: true }, ['flower_photos']);
  archive = await readFile(path.join(temp.dir, 'single.tgz'));

  const pair = path.join(temp.dir, 'pair');
  await copySampleClasses(path.join(pair, 'train'), PER_CLASS);
  await copySampleClasses(path.join(pair, 'validation'), PER_CLASS + 1);
  await createTar({ file: path.join(temp.dir, 'pair.tar'), cwd: pair, portable: true }, ['train', 'validation']);
  splitFoldersArchive = await readFile(path.join(temp.dir, 'pair.tar'));

  harness = await startIngestionHarness({ maxUploadBytes: MAX_UPLOAD_BYTES });
});

afterAll(async () => {
  await harness?.stop();
  await temp?.remove();
});

describe('UploadDataset', () => {
  it('imports an uploaded archive', async () => {
    const result = await harness.client.uploadDataset(uploadMessages(archive));
    expect(result.created).toBe(true);
    expect(result.receivedBytes).toBe(BigInt(archive.length));
    expect(result.dataset?.trainImages).toBe(SAMPLE_CLASSES.length * (PER_CLASS - 1));
    expect(result.dataset?.validationImages).toBe(SAMPLE_CLASSES.length);
    expect(result.dataset?.source).toContain('upload flower_photos.tgz');
  });

  it('reports progress to a watcher', async () => {
    const updates: ImportProgress[] = [];
    const watching = (async () => {
      for await (const message of harness.client.watchImport({ importId: 'upload-progress', waitForStart: true })) updates.push(message.progress!);
    })();
    const result = await harness.client.uploadDataset(uploadMessages(archive, { name: 'watched', settings: { split: SPLIT, importId: 'upload-progress' } }));
    await watching;

    const last = updates.at(-1)!;
    expect(last.stage).toBe(ImportStage.SUCCEEDED);
    expect(last.dataset?.version).toBe(result.dataset?.ref?.version);
    expect(last.filesDone).toBe(SAMPLE_CLASSES.length * PER_CLASS);
    expect(last.imagesConverted).toBe(SAMPLE_CLASSES.length * PER_CLASS);
    expect(last.receivedBytes).toBe(BigInt(archive.length));
    expect(updates.map((update) => update.filesDone)).toEqual([...updates.map((update) => update.filesDone)].sort((a, b) => a - b));
  });

  it('imports train and validation folders', async () => {
    const result = await harness.client.uploadDataset(uploadMessages(splitFoldersArchive, { name: 'pair', fileName: 'pair.tar', splitFolders: true, settings: {} }));
    expect(result.dataset?.trainImages).toBe(SAMPLE_CLASSES.length * PER_CLASS);
    expect(result.dataset?.validationImages).toBe(SAMPLE_CLASSES.length * (PER_CLASS + 1));
  });

  it('rejects a SHA-256 mismatch', async () => {
    const wrong = sha256Of(Buffer.from('not the archive'));
    const error = await failure(harness.client.uploadDataset(uploadMessages(archive, { name: 'mismatch', sha256: wrong })));
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain(wrong);
    expect(error.message).toContain(sha256Of(archive));
    expect(await harness.objects.store.exists(layout.datasetManifest('mismatch', 1))).toBe(false);
  });

  it('rejects fewer bytes than declared', async () => {
    const error = await failure(harness.client.uploadDataset(uploadMessages(archive, { name: 'short', sizeBytes: BigInt(archive.length + 10) })));
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain(`after ${archive.length} bytes`);
  });

  it('rejects more bytes than declared', async () => {
    const error = await failure(harness.client.uploadDataset(uploadMessages(archive, { name: 'long', sizeBytes: BigInt(archive.length - 10) })));
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain('header.size_bytes');
  });

  it('rejects a chunk above 1 MiB', async () => {
    const big = Buffer.concat([archive, Buffer.alloc(MAX_UPLOAD_CHUNK_BYTES + 1 - archive.length)]);
    const error = await failure(harness.client.uploadDataset(uploadMessages(big, { name: 'big-chunk' }, big.length)));
    expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error.message).toContain(String(MAX_UPLOAD_CHUNK_BYTES));
  });

  it('rejects a size above the upload limit', async () => {
    const error = await failure(harness.client.uploadDataset(uploadMessages(archive, { name: 'huge', sizeBytes: BigInt(MAX_UPLOAD_BYTES + 1) })));
    expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error.message).toContain('INGESTION_MAX_UPLOAD_BYTES');
  });

  it('rejects chunks without a header', async () => {
    const messages = [...uploadMessages(archive)].slice(1);
    const error = await failure(harness.client.uploadDataset(messages));
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain('header');
  });

  it('rejects a second header', async () => {
    const messages = [...uploadMessages(archive, { name: 'twice' })];
    const error = await failure(harness.client.uploadDataset([messages[0], messages[0], ...messages.slice(1)]));
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain('only the first message carries the header');
  });

  it('rejects a split with split_folders', async () => {
    const error = await failure(harness.client.uploadDataset(uploadMessages(splitFoldersArchive, { name: 'both', splitFolders: true, settings: { split: SPLIT } })));
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain('split_folders');
  });
});

describe('WatchImport', () => {
  it('rejects a running import_id', async () => {
    const watching = (async () => {
      for await (const message of harness.client.watchImport({ importId: 'taken', waitForStart: true })) {
        if (message.progress?.stage === ImportStage.RECEIVING) return;
      }
    })();
    const started = harness.client.uploadDataset(
      (async function* () {
        const [header, ...chunks] = [...uploadMessages(archive, { name: 'taken', settings: { split: SPLIT, importId: 'taken' } })];
        yield header;
        await watching;
        const error = await failure(harness.client.importDataset({ name: 'other', source: '/tmp', settings: { split: SPLIT, importId: 'taken' } }));
        expect(error.code).toBe(GrpcStatus.ALREADY_EXISTS);
        expect(error.message).toContain('"taken"');
        yield* chunks;
      })(),
    );
    expect((await started).created).toBe(true);
  });

  it('rejects an unknown import_id', async () => {
    const error = await failure(
      (async () => {
        for await (const _message of harness.client.watchImport({ importId: 'never-started' })) {
          // The call fails before any message.
        }
      })(),
    );
    expect(error.code).toBe(GrpcStatus.NOT_FOUND);
    expect(error.message).toContain('never-started');
  });

  it('reports a failed import', async () => {
    const updates: ImportProgress[] = [];
    const watching = (async () => {
      for await (const message of harness.client.watchImport({ importId: 'failing', waitForStart: true })) updates.push(message.progress!);
    })();
    await failure(harness.client.importDataset({ name: 'failing', source: '/does/not/exist', settings: { split: SPLIT, importId: 'failing' } }));
    await watching;
    expect(updates.at(-1)?.stage).toBe(ImportStage.FAILED);
    expect(updates.at(-1)?.error).toContain('/does/not/exist');
  });
});
