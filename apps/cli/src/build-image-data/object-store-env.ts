import { optionalText, parseEnv, text } from '@inception/config';
import { ObjectStore } from '@inception/storage';

/** Variables the offline commands read to reach `s3://bucket/key` paths. */
export const OBJECT_STORE_ENV = {
  S3_ENDPOINT: { schema: optionalText(), description: 'S3 endpoint URL, e.g. http://127.0.0.1:9000, required for s3:// paths.' },
  S3_ACCESS_KEY: { schema: text('S3RVER'), description: 'S3 access key id.' },
  S3_SECRET_KEY: { schema: text('S3RVER'), description: 'S3 secret key (never printed).' },
  S3_REGION: { schema: text('us-east-1'), description: 'Region used to sign S3 requests.' },
};

/**
 * Opens the bucket of an `s3://` path with the endpoint and credentials from `env`. Throws naming
 * the path when `S3_ENDPOINT` is unset or is not a URL.
 */
export function objectStoreFromEnv(bucket: string, uri: string, env: NodeJS.ProcessEnv): ObjectStore {
  const config = parseEnv(OBJECT_STORE_ENV, env);
  if (config.S3_ENDPOINT === undefined) {
    throw new Error(`${uri}: S3_ENDPOINT is missing. Set it to the S3 endpoint URL, e.g. S3_ENDPOINT=http://127.0.0.1:9000`);
  }
  if (!URL.canParse(config.S3_ENDPOINT)) {
    throw new Error(`${uri}: S3_ENDPOINT ${JSON.stringify(config.S3_ENDPOINT)} is not a URL, e.g. http://127.0.0.1:9000`);
  }

  return new ObjectStore({
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    region: config.S3_REGION,
    bucket,
  });
}
