/**
 * One-shot start-up step of the compose stack: waits until the S3 endpoint accepts requests, then
 * creates the bucket unless it exists, so that a wrong endpoint or wrong credentials show up
 * as one clear failure before the services start. Reads the services' S3_* variables.
 *
 *   node --import tsx tools/deploy-check/src/create-bucket.ts
 *
 * BUCKET_INIT_TIMEOUT_MS (default 120000) bounds the wait; the exit code is 0 once the bucket
 * exists and 1 when the time runs out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { commonEnv, parseEnv, positiveInt } from '@inception/config';
import { ObjectStore } from '@inception/storage';
import { createLogger } from '@inception/telemetry';

export interface CreateBucketOptions {
  /** Total time to keep trying, in milliseconds. */
  timeoutMs: number;
  /** Pause between attempts, in milliseconds (default 2000). */
  retryIntervalMs?: number;
  /** Called with each failed attempt's error before the pause. */
  onRetry?: (error: Error, attempt: number) => void;
}

/** Calls `store.ensureBucket()` until it succeeds or `timeoutMs` has passed; throws the last error then. */
export async function createBucketWithRetry(store: Pick<ObjectStore, 'ensureBucket' | 'bucket' | 'endpoint'>, options: CreateBucketOptions): Promise<{ attempts: number }> {
  const deadlineMs = Date.now() + options.timeoutMs;
  const retryIntervalMs = options.retryIntervalMs ?? 2_000;

  for (let attempt = 1; ; attempt++) {
    try {
      await store.ensureBucket();
      return { attempts: attempt };
    } catch (error) {
      if (Date.now() + retryIntervalMs >= deadlineMs) {
        throw new Error(`bucket "${store.bucket}" at ${store.endpoint} is not available after ${attempt} attempts in ${options.timeoutMs} ms: ${(error as Error).message}`, { cause: error });
      }
      options.onRetry?.(error as Error, attempt);
      await sleep(retryIntervalMs);
    }
  }
}

const bucketInitEnv = {
  ...pickS3Variables(),
  LOG_LEVEL: commonEnv('bucket-init', 0, 0).LOG_LEVEL,
  BUCKET_INIT_TIMEOUT_MS: { schema: positiveInt(120_000), description: 'How long to wait for the S3 endpoint, in milliseconds.' },
};

function pickS3Variables() {
  const { S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, S3_REGION } = commonEnv('bucket-init', 0, 0);
  return { S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, S3_REGION };
}

async function main(): Promise<void> {
  let config: ReturnType<typeof parseEnv<typeof bucketInitEnv>>;
  try {
    config = parseEnv(bucketInitEnv, process.env);
  } catch (error) {
    console.error(`create-bucket: ${(error as Error).message}`);
    process.exit(2);
  }
  const logger = createLogger('bucket-init', config.LOG_LEVEL);
  const store = new ObjectStore({ endpoint: config.S3_ENDPOINT, accessKey: config.S3_ACCESS_KEY, secretKey: config.S3_SECRET_KEY, bucket: config.S3_BUCKET, region: config.S3_REGION });
  try {
    const { attempts } = await createBucketWithRetry(store, {
      timeoutMs: config.BUCKET_INIT_TIMEOUT_MS,
      onRetry: (error, attempt) => logger.warn({ err: error, attempt, s3Endpoint: config.S3_ENDPOINT }, 'S3 endpoint not available; retrying'),
    });
    logger.info({ bucket: config.S3_BUCKET, s3Endpoint: config.S3_ENDPOINT, attempts }, 'bucket ready');
  } catch (error) {
    logger.error({ err: error }, 'bucket creation failed');
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
