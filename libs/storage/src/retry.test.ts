import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { makeTempDir } from '@inception/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedS3, type EmbeddedS3 } from './embedded-s3.js';
import { StorageError } from './errors.js';
import { ObjectStore } from './object-store.js';
import { backoffMs, type RetryEvent } from './retry.js';

const BUCKET = 'retry-test';
const FAST_RETRIES = { initialBackoffMs: 5, maxBackoffMs: 20 };

let temp: { dir: string; remove: () => Promise<void> };
let s3: EmbeddedS3;
let port: number;

/** Starts s3rver on the test's folder, on `port` when given (the port of a stopped server). */
async function startS3(onPort = 0): Promise<EmbeddedS3> {
  return startEmbeddedS3({ directory: temp.dir, port: onPort, buckets: [BUCKET] });
}

/**
 * Returns a store whose first retry restarts the stopped S3 server on the same port and folder,
 * so the request fails once on a closed port and then finds the server back.
 */
function storeThatRestartsS3(events: RetryEvent[]): ObjectStore {
  let restarting: Promise<void> | undefined;
  return new ObjectStore({
    endpoint: `http://127.0.0.1:${port}`,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    bucket: BUCKET,
    maxAttempts: 5,
    retryPolicy: FAST_RETRIES,
    onRetry: (event) => {
      events.push(event);
      restarting ??= startS3(port).then((restarted) => {
        s3 = restarted;
      });
    },
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

beforeAll(async () => {
  temp = await makeTempDir('inception-retry-');
  s3 = await startS3();
  port = s3.port;
});

afterEach(async () => {
  // Every test leaves the server running, restarted or not.
  await s3.stop().catch(() => undefined);
  s3 = await startS3(port);
});

afterAll(async () => {
  await s3.stop().catch(() => undefined);
  await temp.remove();
});

describe('ObjectStore retries across an S3 restart', () => {
  it('reads an object written before the restart', async () => {
    const bytes = randomBytes(64 * 1024);
    const events: RetryEvent[] = [];
    const store = storeThatRestartsS3(events);
    await store.put('restart/read.bin', bytes);
    await s3.stop();

    const read = await store.getBytes('restart/read.bin');
    expect(sha256(read)).toBe(sha256(bytes));
    expect(events[0]?.operation).toBe('getBytes');
    expect(events[0]?.error.kind).toBe('unavailable');
  });

  it('writes a whole buffer', async () => {
    const bytes = randomBytes(1000);
    const events: RetryEvent[] = [];
    const store = storeThatRestartsS3(events);
    await s3.stop();

    const written = await store.put('restart/write.bin', bytes);
    expect(written.sha256).toBe(sha256(bytes));
    expect(sha256(await store.getBytes('restart/write.bin'))).toBe(sha256(bytes));
    expect(events.map((event) => event.operation)).toContain('put');
  });

  it('stats an object', async () => {
    const events: RetryEvent[] = [];
    const store = storeThatRestartsS3(events);
    await store.put('restart/stat.txt', 'twelve bytes');
    await s3.stop();

    expect((await store.stat('restart/stat.txt'))?.sizeBytes).toBe(12);
    expect(events.map((event) => event.operation)).toContain('stat');
  });

  it('lists a prefix', async () => {
    const events: RetryEvent[] = [];
    const store = storeThatRestartsS3(events);
    for (const name of ['a', 'b', 'c']) await store.put(`restart/list/${name}`, name);
    await s3.stop();

    const keys: string[] = [];
    for await (const item of store.list('restart/list/')) keys.push(item.key);
    expect(keys).toEqual(['restart/list/a', 'restart/list/b', 'restart/list/c']);
    expect(events.map((event) => event.operation)).toContain('list');
  });
});

describe('ObjectStore retry bounds', () => {
  function storeWithoutRestart(events: RetryEvent[], endpoint = `http://127.0.0.1:${port}`): ObjectStore {
    return new ObjectStore({ endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: BUCKET, maxAttempts: 3, retryPolicy: FAST_RETRIES, onRetry: (event) => events.push(event) });
  }

  it('gives up after maxAttempts while S3 stays down', async () => {
    const events: RetryEvent[] = [];
    await s3.stop();
    const error = (await storeWithoutRestart(events).getBytes('down/key').catch((caught: unknown) => caught)) as StorageError;
    expect(error).toBeInstanceOf(StorageError);
    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain('gave up after 3 attempts');
    expect(events).toHaveLength(2);
  });

  it('does not retry a missing object', async () => {
    const events: RetryEvent[] = [];
    const error = (await storeWithoutRestart(events).getBytes('missing/key').catch((caught: unknown) => caught)) as StorageError;
    expect(error.kind).toBe('not-found');
    expect(events).toHaveLength(0);
  });

  it('retries the requests of a streamed put', async () => {
    const bytes = randomBytes(1000);
    const events: RetryEvent[] = [];
    const store = storeThatRestartsS3(events);
    await s3.stop();

    const written = await store.put('restart/stream.bin', Readable.from([bytes]));

    expect(written.sha256).toBe(sha256(bytes));
    expect(sha256(await store.getBytes('restart/stream.bin'))).toBe(sha256(bytes));
    expect(events.map((event) => event.operation)).toContain('put');
  });

  it('retries 503 responses', async () => {
    let requests = 0;
    const busy: Server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(503, { 'Content-Type': 'text/plain' });
      response.end();
    });
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const events: RetryEvent[] = [];
    const store = storeWithoutRestart(events, `http://127.0.0.1:${(busy.address() as AddressInfo).port}`);

    const error = (await store.stat('busy/key').catch((caught: unknown) => caught)) as StorageError;
    await new Promise<void>((resolve) => busy.close(() => resolve()));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain('HTTP 503');
    expect(requests).toBe(3);
  });
});

describe('backoffMs', () => {
  const policy = { maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 1_000 };

  it('waits at least half the backoff', () => {
    expect(backoffMs(policy, 1, () => 0)).toBe(50);
  });

  it('waits at most the whole backoff', () => {
    expect(backoffMs(policy, 1, () => 1)).toBe(100);
  });

  it('doubles the backoff per retry', () => {
    expect(backoffMs(policy, 3, () => 1)).toBe(400);
  });

  it('caps the backoff at maxBackoffMs', () => {
    expect(backoffMs(policy, 10, () => 1)).toBe(1_000);
  });
});
