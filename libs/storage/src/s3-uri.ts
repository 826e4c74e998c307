/** A parsed `s3://bucket/prefix` URI. */
export interface S3Uri {
  bucket: string;
  /** Key prefix without a leading slash; empty for the whole bucket. */
  key: string;
}

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Uri(value: string): boolean {
  return value.startsWith('s3://');
}

/** Parses `s3://bucket/key`; throws naming the URI when the bucket name is not a valid S3 bucket name. */
export function parseS3Uri(uri: string): S3Uri {
  if (!isS3Uri(uri)) {
    throw new Error(`"${uri}" is not an s3:// URI`);
  }
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (!BUCKET_PATTERN.test(bucket)) {
    throw new Error(`"${uri}": bucket name "${bucket}" is invalid (3–63 lower-case letters, digits, '.' or '-')`);
  }
  return { bucket, key };
}

export function formatS3Uri(uri: S3Uri): string {
  return `s3://${uri.bucket}/${uri.key}`;
}
