import { ObjectStore, startEmbeddedS3, type EmbeddedS3 } from '@inception/storage';
import { makeTempDir } from './fixtures.js';

export interface TestObjectStore {
  s3: EmbeddedS3;
  store: ObjectStore;
  /** Stops the S3 server and deletes its folder. */
  stop(): Promise<void>;
}

/** Starts a real s3rver on 127.0.0.1 with a fresh folder and bucket, for one test file. */
export async function startTestObjectStore(bucket = 'inception', partSizeBytes?: number): Promise<TestObjectStore> {
  const temp = await makeTempDir('inception-s3-');
  const s3 = await startEmbeddedS3({ directory: temp.dir, buckets: [bucket] });
  const store = new ObjectStore({ endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket, partSizeBytes });
  return {
    s3,
    store,
    stop: async () => {
      await s3.stop();
      await temp.remove();
    },
  };
}

/** Lists the keys under `prefix`, in key order. */
export async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(prefix)) keys.push(object.key);
  return keys;
}
