import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { startProcess, type StartedProcess } from '@inception/cli';
import { IngestionService, ImportStage } from '@inception/proto';
import { createRpcClient, GrpcStatus, ServiceError } from '@inception/rpc';
import { EMBEDDED_S3_ACCESS_KEY, EMBEDDED_S3_SECRET_KEY, layout, ObjectStore, parseVersionSegment, type DatasetManifest } from '@inception/storage';
import { makeTempDir } from '@inception/testing';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePhotoSet } from './testing/photo-set.js';

// A few hundred 500×375 photos, so the kill lands while most are still unprocessed.
const CLASSES = ['daisy', 'roses', 'tulips'];
const PER_CLASS = 100;
const KILL_AFTER_FILES = 60;
const SPLIT = { validation: { case: 'validationImagesPerClass' as const, value: 10 } };

let temp: { dir: string; remove: () => Promise<void> };
let logDir: string;
let workDir: string;
let archive: string;
let s3: StartedProcess;
let store: ObjectStore;
let ingestion: StartedProcess | undefined;

async function startIngestion(): Promise<{ process: StartedProcess; address: string }> {
  const started = await startProcess(
    'ingestion',
    'apps/ingestion/src/main.ts',
    {
      ...process.env,
      S3_ENDPOINT: String(s3.ready.endpoint),
      S3_ACCESS_KEY: EMBEDDED_S3_ACCESS_KEY,
      S3_SECRET_KEY: EMBEDDED_S3_SECRET_KEY,
      S3_BUCKET: 'inception',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      INGESTION_WORK_DIR: workDir,
      INGESTION_CONCURRENCY: '2',
      LOG_LEVEL: 'info',
    },
    path.join(logDir, 'ingestion.log'),
  );
  ingestion = started;
  return { process: started, address: `127.0.0.1:${started.ready.grpcPort}` };
}

function exited(started: StartedProcess): Promise<string> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? `code ${child.exitCode}`);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
}

beforeAll(async () => {
  temp = await makeTempDir('inception-ingestion-crash-');
  logDir = path.join(temp.dir, 'logs');
  workDir = path.join(temp.dir, 'work');
  await mkdir(logDir);
  await mkdir(workDir);
  await writePhotoSet(path.join(temp.dir, 'flower_photos'), { classes: CLASSES, perClass: PER_CLASS });
  archive = path.join(temp.dir, 'flower_photos.tgz');
  await createTar({ gzip: true, file: archive, cwd: temp.dir, portable: true }, ['flower_photos']);

  s3 = await startProcess('s3', 'apps/cli/src/stack/s3-process.ts', { ...process.env, S3_DATA_DIR: path.join(temp.dir, 's3'), S3_PORT: '0', S3_BUCKET: 'inception' }, path.join(logDir, 's3.log'));
  store = new ObjectStore({ endpoint: String(s3.ready.endpoint), accessKey: EMBEDDED_S3_ACCESS_KEY, secretKey: EMBEDDED_S3_SECRET_KEY, bucket: 'inception' });
});

afterAll(async () => {
  await ingestion?.stop();
  await s3?.stop();
  await temp?.remove();
});

describe('ingestion killed during an import', () => {
  it('leaves no version behind', async () => {
    const first = await startIngestion();
    const client = createRpcClient(IngestionService, first.address, { timeoutMs: 300_000 });
    let filesDoneAtKill = 0;
    const watching = (async () => {
      for await (const message of client.watchImport({ importId: 'crash', waitForStart: true })) {
        const progress = message.progress!;
        if (progress.stage === ImportStage.PROCESSING && progress.filesDone >= KILL_AFTER_FILES) {
          filesDoneAtKill = progress.filesDone;
          first.process.child.kill('SIGKILL');
          return;
        }
      }
    })().catch(() => undefined);

    const error = await client.importDataset({ name: 'crash', source: archive, settings: { split: SPLIT, importId: 'crash' } }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    await watching;
    client.close();

    expect(await exited(first.process)).toBe('SIGKILL');
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe(GrpcStatus.UNAVAILABLE);
    expect(filesDoneAtKill).toBeGreaterThanOrEqual(KILL_AFTER_FILES);
    expect(filesDoneAtKill).toBeLessThan(CLASSES.length * PER_CLASS);
    expect(await store.exists(layout.datasetManifest('crash', 1))).toBe(false);
    expect(await store.listPrefixes('datasets/crash/')).not.toContain('datasets/crash/v1/');
    expect((await readdir(workDir)).some((name) => name.startsWith(`inception-ingestion-${first.process.child.pid}-unpack-`))).toBe(true);
  });

  it('imports one whole version after a restart', async () => {
    const second = await startIngestion();
    expect(await readdir(workDir)).toEqual([]);
    const client = createRpcClient(IngestionService, second.address, { timeoutMs: 300_000 });
    const result = await client.importDataset({ name: 'crash', source: archive, settings: { split: SPLIT } });
    client.close();

    expect(result.created).toBe(true);
    expect(result.dataset?.ref?.version).toBe(1);
    expect(result.dataset?.trainImages).toBe(CLASSES.length * (PER_CLASS - 10));
    expect(result.dataset?.validationImages).toBe(CLASSES.length * 10);
    expect(await store.listPrefixes('datasets/crash/')).toEqual(['datasets/crash/packs/', 'datasets/crash/v1/']);
  });

  it('lists only images that are stored', async () => {
    const versionPrefixes = (await store.listPrefixes('datasets/crash/')).filter((prefix) => parseVersionSegment(prefix.slice('datasets/crash/'.length)) !== undefined);
    for (const prefix of versionPrefixes) {
      const version = parseVersionSegment(prefix.slice('datasets/crash/'.length))!;
      const manifest = await store.getJson<DatasetManifest>(layout.datasetManifest('crash', version));
      const images = [...manifest.images.train, ...manifest.images.validation];
      expect(images).toHaveLength(CLASSES.length * PER_CLASS);
      for (const image of images) {
        await expect(store.getVerified(image.key, { sha256: image.sha256, sizeBytes: image.sizeBytes, offsetBytes: image.offsetBytes }), image.sourcePath).resolves.toBeInstanceOf(Buffer);
      }
    }
    expect(versionPrefixes).toHaveLength(1);
  });
});
