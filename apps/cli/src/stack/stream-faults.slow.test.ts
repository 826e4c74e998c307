import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { ImportStage, ShardingState, type DatasetRef, type DatasetVersion, type ModelVersion, type ShardDatasetRequestSchema, type UploadDatasetRequestSchema } from '@inception/proto';
import { GrpcStatus, ServiceError } from '@inception/rpc';
import { layout } from '@inception/storage';
import { makeTempDir, repoRoot } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clients } from '../clients.js';
import { prepareUpload, UPLOAD_CHUNK_BYTES, uploadMessages, type UploadArchive } from '../commands/dataset-upload.js';
import { checkManifests } from './manifest-check.js';
import { startSecuredStack, type SecuredStack } from './secured-stack.js';

// Real processes restarted while a client streams to them or waits on them: the S3 server during
// an import, ingestion during an upload and a watched import, sharding during a watched shard set,
// and the registry during back-to-back reads. Each operation must complete after recovery or fail
// with UNAVAILABLE and a message, and every manifest must list only whole objects.

const TRAIN_SOURCE = path.join(repoRoot, 'data/samples/fashion-mnist/train');
const VALIDATION_SOURCE = path.join(repoRoot, 'data/samples/fashion-mnist/validation');
const TRAIN_IMAGES = 800;
const VALIDATION_IMAGES = 200;
/** Files processed before a fault is injected, so that the fault lands well inside an import of 1,000 files. */
const FAULT_AFTER_FILES = 100;
/** Time a stopped service gives running calls, in milliseconds. A held upload waits for all of it. */
const SHUTDOWN_GRACE_MS = 4_000;
/** What a service logs when it retries a failed object store request. */
const RETRY_LOG_MESSAGE = 'object store request failed; retrying';

type ImportRequest = Parameters<Clients['ingestion']['importDataset']>[0];
type UploadRequest = MessageInitShape<typeof UploadDatasetRequestSchema>;
type ShardRequest = MessageInitShape<typeof ShardDatasetRequestSchema>;

/** How a call ended: "OK" or the name of its gRPC status, with the status message. */
interface Outcome {
  code: string;
  message: string;
}

let temp: { dir: string; remove: () => Promise<void> };
let secured: SecuredStack;
let clients: Clients;

function importRequest(name: string, importId = ''): ImportRequest {
  return { name, trainSource: TRAIN_SOURCE, validationSource: VALIDATION_SOURCE, settings: { importId } };
}

/** Waits for `call` and returns how it ended. Errors other than ServiceError are rethrown. */
function outcomeOf(call: Promise<unknown>): Promise<Outcome> {
  return call.then(
    () => ({ code: 'OK', message: '' }),
    (error: unknown) => {
      if (!(error instanceof ServiceError)) throw error;
      return { code: error.codeName, message: error.message };
    },
  );
}

/** Reads `stream` until `until` returns true for a message and returns that message. Throws if the stream ends first. */
async function readUntil<T>(stream: AsyncIterator<T>, what: string, until: (message: T) => boolean): Promise<T> {
  for (let next = await stream.next(); !next.done; next = await stream.next()) {
    if (until(next.value)) return next.value;
  }
  throw new Error(`the stream ended before ${what}`);
}

/** Reads `stream` to its end and returns the ServiceError that ended it, or undefined when it ended normally. */
async function streamEnding(stream: AsyncIterator<unknown>): Promise<ServiceError | undefined> {
  try {
    for (let next = await stream.next(); !next.done; next = await stream.next()) {
      // Messages sent before the fault arrive first.
    }
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  return undefined;
}

async function versionsOf(name: string): Promise<DatasetVersion[]> {
  return (await clients.ingestion.listDatasets({ name })).datasets;
}

/** Expects `name` to have exactly one version, with every sample image and a manifest in the bucket. */
async function expectOneWholeVersion(name: string): Promise<void> {
  const versions = await versionsOf(name);
  expect(versions).toHaveLength(1);
  expect(versions[0].trainImages).toBe(TRAIN_IMAGES);
  expect(versions[0].validationImages).toBe(VALIDATION_IMAGES);
  expect(await secured.store.exists(layout.datasetManifest(name, versions[0].ref!.version))).toBe(true);
}

async function expectWholeManifests(): Promise<void> {
  const check = await checkManifests(secured.store);
  expect(check.problems).toEqual([]);
  expect(check.references).toBeGreaterThan(0);
}

/** Polls `condition` every 20 ms until it returns true, and throws after `limitMs` so a broken setup cannot hang the suite. */
async function pollUntil(what: string, condition: () => boolean | Promise<boolean>, limitMs = 60_000): Promise<void> {
  const deadlineMs = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadlineMs) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Reads one counter of a service's /metrics page, or 0 when the counter has no sample yet. */
async function counterValue(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

/** Lines of a service's log whose `msg` is `message`, over every process that wrote the log. */
async function logLineCount(service: string, message: string): Promise<number> {
  const text = await readFile(path.join(secured.stack.logDir, `${service}.log`), 'utf8');
  return text.split('\n').filter((line) => line.includes(`"msg":"${message}"`)).length;
}

beforeAll(async () => {
  temp = await makeTempDir('inception-stream-faults-');
  // A short grace period keeps the SIGTERM cases quick. Calls still running when it ends get UNAVAILABLE.
  secured = await startSecuredStack({ dataDir: path.join(temp.dir, 'stack'), mutualTls: true, env: { LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS) } });
  clients = secured.connect();
});

afterAll(async () => {
  clients?.close();
  await secured?.stack.stop();
  await temp?.remove();
});

describe('S3 server restarted during an import', () => {
  const name = 'store-restart';
  let outcome: Outcome;

  it('completes or fails with UNAVAILABLE', async () => {
    const retriesBefore = await logLineCount('ingestion', RETRY_LOG_MESSAGE);
    const importing = outcomeOf(clients.ingestion.importDataset(importRequest(name, name)));
    const watch = clients.ingestion.watchImport({ importId: name, waitForStart: true })[Symbol.asyncIterator]();
    const atRestart = (await readUntil(watch, `${FAULT_AFTER_FILES} files`, (message) => message.progress!.filesDone >= FAULT_AFTER_FILES)).progress!;
    // Images are written in batches, so the server stays down until the import has sent it a request.
    const importRetried = () => pollUntil('a retried object store request in the ingestion log', async () => (await logLineCount('ingestion', RETRY_LOG_MESSAGE)) > retriesBefore);
    await secured.stack.restartService('s3', { kill: true, whileStopped: importRetried });
    outcome = await importing;
    const last = await readUntil(watch, 'the end of the import', (message) => [ImportStage.SUCCEEDED, ImportStage.FAILED].includes(message.progress!.stage));
    console.info(`an import across an S3 kill and restart ended ${outcome.code}${outcome.message ? `: ${outcome.message}` : ''}`);

    expect(atRestart.stage).toBe(ImportStage.PROCESSING);
    expect(atRestart.filesDone).toBeLessThan(TRAIN_IMAGES + VALIDATION_IMAGES);
    expect(['OK', 'UNAVAILABLE']).toContain(outcome.code);
    expect(last.progress!.stage).toBe(outcome.code === 'OK' ? ImportStage.SUCCEEDED : ImportStage.FAILED);
  });

  it('leaves one whole version', async () => {
    if (outcome.code !== 'OK') {
      expect(outcome.message).toContain('object store unavailable');
      expect(await versionsOf(name)).toEqual([]);
      await clients.ingestion.importDataset(importRequest(name));
    }
    await expectOneWholeVersion(name);
    await expectWholeManifests();
  });
});

describe('ingestion restarted during an UploadDataset', () => {
  let archive: UploadArchive;

  /** Sends the header and the first chunk, then waits for `release` before sending the rest, as a stalled client would. */
  async function* heldAfterFirstChunk(messages: AsyncIterable<UploadRequest>, release: Promise<void>): AsyncIterable<UploadRequest> {
    let chunksSent = 0;
    for await (const message of messages) {
      if (message.part?.case === 'chunk') {
        if (chunksSent === 1) await release;
        chunksSent += 1;
      }
      yield message;
    }
  }

  beforeAll(async () => {
    archive = await prepareUpload([TRAIN_SOURCE, VALIDATION_SOURCE]);
  });

  afterAll(async () => {
    await archive?.remove();
  });

  it.each([
    ['stopped with SIGTERM', 'upload-stop', false],
    ['killed with SIGKILL', 'upload-kill', true],
  ])('%s: upload fails, second one completes', async (fault, name, kill) => {
    expect(archive.sizeBytes).toBeGreaterThan(UPLOAD_CHUNK_BYTES);
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const uploading = outcomeOf(clients.ingestion.uploadDataset(heldAfterFirstChunk(uploadMessages(archive, { name }, () => {}), released)));

    const metricsUrl = secured.stack.services.ingestion.metricsUrl;
    await pollUntil('the first chunk at the service', async () => (await counterValue(metricsUrl, 'inception_ingestion_upload_bytes_total')) >= UPLOAD_CHUNK_BYTES);
    // SIGTERM waits for the held upload until the shutdown grace period ends.
    await secured.stack.restartService('ingestion', { kill });
    const outcome = await uploading;
    release();
    await clients.ingestion.waitForReady(30_000);
    console.info(`an upload whose service was ${fault} ended ${outcome.code}: ${outcome.message}`);

    expect(outcome.code).toBe('UNAVAILABLE');
    expect(outcome.message).not.toBe('');
    expect(await versionsOf(name)).toEqual([]);

    const response = await clients.ingestion.uploadDataset(uploadMessages(archive, { name }, () => {}));
    expect(response.created).toBe(true);
    expect(response.receivedBytes).toBe(BigInt(archive.sizeBytes));
    await expectOneWholeVersion(name);
  });

  it('leaves only manifests that list whole objects', async () => {
    await expectWholeManifests();
  });
});

describe('ingestion restarted while a client watches an import', () => {
  it.each([
    ['stopped with SIGTERM', 'watch-stop', false],
    ['killed with SIGKILL', 'watch-kill', true],
  ])('%s: watch ends with UNAVAILABLE', async (fault, name, kill) => {
    const importing = outcomeOf(clients.ingestion.importDataset(importRequest(name, name)));
    const watch = clients.ingestion.watchImport({ importId: name, waitForStart: true })[Symbol.asyncIterator]();
    const atRestart = (await readUntil(watch, `${FAULT_AFTER_FILES} files`, (message) => message.progress!.filesDone >= FAULT_AFTER_FILES)).progress!;

    const restarting = secured.stack.restartService('ingestion', { kill });
    const watchError = await streamEnding(watch);
    await restarting;
    await clients.ingestion.waitForReady(30_000);
    const outcome = await importing;
    console.info(`an import whose service was ${fault} ended ${outcome.code}${outcome.message ? `: ${outcome.message}` : ''}`);

    expect(atRestart.stage).toBe(ImportStage.PROCESSING);
    expect(atRestart.filesDone).toBeLessThan(TRAIN_IMAGES + VALIDATION_IMAGES);
    expect(watchError?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(watchError?.message).not.toBe('');
    // SIGTERM lets a running import finish within the shutdown grace period, but SIGKILL cuts it.
    expect(kill ? ['UNAVAILABLE'] : ['OK', 'UNAVAILABLE']).toContain(outcome.code);
    if (outcome.code !== 'OK') {
      expect(await versionsOf(name)).toEqual([]);
      await clients.ingestion.importDataset(importRequest(name));
    }
    await expectOneWholeVersion(name);
  });

  it('leaves only manifests that list whole objects', async () => {
    await expectWholeManifests();
  });
});

describe('sharding restarted while a client watches a shard set', () => {
  let dataset: DatasetRef;

  beforeAll(async () => {
    const imported = await clients.ingestion.importDataset(importRequest('shard-input'));
    dataset = imported.dataset!.ref!;
  });

  // Each case has its own seed, so each writes a set of its own.
  it.each([
    ['stopped with SIGTERM', 1n, false],
    ['killed with SIGKILL', 2n, true],
  ])('%s: watch ends, set completes', async (fault, seed, kill) => {
    const request: ShardRequest = { dataset, trainShards: 40, validationShards: 10, numThreads: 2, seed };
    const sharding = outcomeOf(clients.sharding.shardDataset(request));
    const watch = clients.sharding.watchSharding({ request, waitForStart: true })[Symbol.asyncIterator]();
    const atRestart = (await readUntil(watch, 'the fourth shard', (message) => message.progress!.shardsDone >= 4)).progress!;

    const restarting = secured.stack.restartService('sharding', { kill });
    const watchError = await streamEnding(watch);
    await restarting;
    await clients.sharding.waitForReady(30_000);
    const outcome = await sharding;
    console.info(`a shard set whose service was ${fault} ended ${outcome.code}${outcome.message ? `: ${outcome.message}` : ''}`);

    expect(atRestart.state).toBe(ShardingState.RUNNING);
    expect(atRestart.shardsDone).toBeLessThan(atRestart.shardsTotal);
    expect(watchError?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(watchError?.message).not.toBe('');
    expect(['OK', 'UNAVAILABLE']).toContain(outcome.code);
    const manifestKey = layout.shardSetManifest(dataset.name, dataset.version, atRestart.setId);
    if (outcome.code !== 'OK') {
      expect(await secured.store.exists(manifestKey)).toBe(false);
      // A killed coordinator leaves its progress record running, so a watch names it as gone. A
      // stopped one recorded the failure of its cancelled run, which the watch streams.
      const watchAfter = await streamEnding(clients.sharding.watchSharding({ request })[Symbol.asyncIterator]());
      if (kill) {
        expect(watchAfter?.code).toBe(GrpcStatus.UNAVAILABLE);
        expect(watchAfter?.message).toContain('is gone');
      } else {
        expect(watchAfter).toBeUndefined();
      }
    }

    const response = await clients.sharding.shardDataset(request);
    expect(response.shardSet?.setId).toBe(atRestart.setId);
    expect(response.shardSet?.shards).toHaveLength(50);
    expect(response.shardSet?.trainRecords).toBe(TRAIN_IMAGES);
    expect(response.shardSet?.validationRecords).toBe(VALIDATION_IMAGES);
    expect(await secured.store.exists(manifestKey)).toBe(true);
  });

  it('leaves only manifests that list whole objects', async () => {
    await expectWholeManifests();
  });
});

describe('registry restarted during back-to-back reads', () => {
  const model = 'restart-reads';
  let version: ModelVersion;

  beforeAll(async () => {
    const bytes = randomBytes(64 * 1024);
    const key = 'runs/restart-reads/checkpoints/step-1/weights.bin';
    await secured.store.put(key, bytes);
    const files = [{ key, sizeBytes: BigInt(bytes.length), sha256: createHash('sha256').update(bytes).digest('hex') }];
    version = (await clients.registry.createVersion({ model, files, lineage: { jobId: 'restart-reads' } })).version!;
  });

  it.each([
    ['stopped with SIGTERM', false],
    ['killed with SIGKILL', true],
  ])('%s: reads fail, then recover', async (fault, kill) => {
    type Phase = 'before' | 'restarting' | 'after';
    const calls: Array<{ phase: Phase; outcome: Outcome }> = [];
    let phase: Phase = 'before';
    const okAfterRestart = () => calls.filter((call) => call.phase === 'after' && call.outcome.code === 'OK').length;
    const limitMs = Date.now() + 120_000;

    // ListVersions and GetVersion alternately, each sent when the previous one has ended.
    const reading = (async () => {
      const returned: ModelVersion[] = [];
      while (okAfterRestart() < 20 && Date.now() < limitMs) {
        const read =
          calls.length % 2 === 0
            ? clients.registry.listVersions({ model }).then((response) => returned.push(...response.versions))
            : clients.registry.getVersion({ model, version: version.version }).then((response) => returned.push(response.version!));
        const outcome = await outcomeOf(read);
        calls.push({ phase, outcome });
      }
      return returned;
    })();
    await pollUntil('20 reads before the restart', () => calls.length >= 20);
    phase = 'restarting';
    // The registry stays down until a read has failed, so the outage outlasts the channel's retries.
    const readFailed = () => pollUntil('a failed read', () => calls.some((call) => call.outcome.code !== 'OK'));
    await secured.stack.restartService('registry', { kill, whileStopped: readFailed });
    phase = 'after';
    const returned = await reading;

    const failures = calls.filter((call) => call.outcome.code !== 'OK');
    const firstOkAfter = calls.findIndex((call) => call.phase === 'after' && call.outcome.code === 'OK');
    console.info(`registry reads across a restart (${fault}): ${calls.length} calls, ${failures.length} failed, the first with ${failures[0]?.outcome.code}: ${failures[0]?.outcome.message}`);
    const before = calls.filter((call) => call.phase === 'before');
    expect(before.length).toBeGreaterThanOrEqual(20);
    expect(before.filter((call) => call.outcome.code !== 'OK')).toEqual([]);
    for (const failure of failures) {
      expect(failure.outcome.code).toBe('UNAVAILABLE');
      expect(failure.outcome.message).not.toBe('');
    }
    expect(firstOkAfter).toBeGreaterThan(0);
    expect(calls.slice(firstOkAfter).filter((call) => call.outcome.code !== 'OK')).toEqual([]);
    expect(okAfterRestart()).toBe(20);
    for (const read of returned) {
      expect(read.version).toBe(version.version);
      expect(read.files).toEqual(version.files);
    }
  });

  it('leaves only manifests that list whole objects', async () => {
    await expectWholeManifests();
  });
});
