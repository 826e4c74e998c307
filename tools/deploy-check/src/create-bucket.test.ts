import { ObjectStore, startEmbeddedS3, type EmbeddedS3 } from '@inception/storage';
import { makeTempDir } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucketWithRetry } from './create-bucket.js';

let s3: EmbeddedS3;
let removeTemp: () => Promise<void>;

beforeAll(async () => {
  const temp = await makeTempDir('inception-bucket-init-');
  removeTemp = temp.remove;
  s3 = await startEmbeddedS3({ directory: temp.dir, buckets: [] });
});

afterAll(async () => {
  await s3?.stop();
  await removeTemp?.();
});

/** Returns a store whose ensureBucket fails `failures` times, then succeeds. */
function flakyStore(failures: number) {
  let calls = 0;
  return {
    bucket: 'inception',
    endpoint: 'http://s3.invalid:8333',
    get calls() {
      return calls;
    },
    async ensureBucket() {
      calls++;
      if (calls <= failures) throw new Error('connect ECONNREFUSED');
      return true;
    },
  };
}

describe('createBucketWithRetry', () => {
  it('creates a missing bucket on a real S3 server', async () => {
    const store = new ObjectStore({ endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: 'created-by-init' });
    await createBucketWithRetry(store, { timeoutMs: 10_000 });
    await store.putJson('probe.json', { ok: true });
    expect(await store.exists('probe.json')).toBe(true);
  });

  it('accepts a bucket that already exists', async () => {
    const store = new ObjectStore({ endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: 'created-by-init' });
    const result = await createBucketWithRetry(store, { timeoutMs: 10_000 });
    expect(result.attempts).toBe(1);
  });

  it('retries until the endpoint accepts', async () => {
    const store = flakyStore(2);
    const retried: number[] = [];
    const result = await createBucketWithRetry(store, { timeoutMs: 10_000, retryIntervalMs: 1, onRetry: (_error, attempt) => retried.push(attempt) });
    expect(result.attempts).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('names the bucket and endpoint when time runs out', async () => {
    const store = flakyStore(Number.POSITIVE_INFINITY);
    const error = (await createBucketWithRetry(store, { timeoutMs: 20, retryIntervalMs: 5 }).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain('bucket "inception" at http://s3.invalid:8333');
    expect(error.message).toContain('ECONNREFUSED');
  });
});
