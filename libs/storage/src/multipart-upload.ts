import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Client } from 'minio';

/** Runs one request of an upload, repeating it as the caller's retry policy allows. */
export type RetryStep = <T>(step: string, work: () => Promise<T>) => Promise<T>;

/** Result of writing one object. */
export interface PutResult {
  key: string;
  sizeBytes: number;
  /** Lower-case hex SHA-256 of the bytes written. */
  sha256: string;
}

async function* partsOf(body: AsyncIterable<Uint8Array>, partSizeBytes: number): AsyncIterable<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of body) {
    let view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (pendingBytes + view.length >= partSizeBytes) {
      const take = partSizeBytes - pendingBytes;
      pending.push(view.subarray(0, take));
      yield Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      view = view.subarray(take);
    }
    if (view.length > 0) {
      // Copy: the producer may reuse its buffer after yielding it.
      pending.push(Buffer.from(view));
      pendingBytes += view.length;
    }
  }
  if (pendingBytes > 0 || pending.length === 0) {
    yield Buffer.concat(pending);
  }
}

/**
 * Uploads a stream of unknown length with at most one part in memory. One part becomes a single
 * PUT; more become an S3 multipart upload driven here part by part, because minio-js's own stream
 * upload first lists unfinished uploads, which s3rver does not implement, and for unknown sizes
 * sizes its parts for 5 TiB objects (528 MiB each). The upload is aborted when the body fails.
 * Each request sends a part already in memory, so `retry` may repeat it, e.g. after an HTTP 500
 * from a busy server; uploading a part number again replaces it.
 */
export async function uploadStream(
  client: Client,
  bucket: string,
  key: string,
  body: Readable | AsyncIterable<Uint8Array>,
  partSizeBytes: number,
  contentType: string,
  retry: RetryStep = (_step, work) => work(),
): Promise<PutResult> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const headers = { 'Content-Type': contentType };
  const parts = partsOf(body as AsyncIterable<Uint8Array>, partSizeBytes)[Symbol.asyncIterator]();

  const first = await parts.next();
  const firstPart = first.done ? Buffer.alloc(0) : first.value;
  hash.update(firstPart);
  sizeBytes += firstPart.length;
  const second = first.done ? { done: true as const, value: undefined } : await parts.next();
  if (second.done) {
    await retry('put', () => client.putObject(bucket, key, firstPart, firstPart.length, headers));
    return { key, sizeBytes, sha256: hash.digest('hex') };
  }

  const uploadId = await retry('initiate multipart upload', () => client.initiateNewMultipartUpload(bucket, key, headers));
  try {
    const etags: Array<{ part: number; etag: string }> = [];
    let partNumber = 1;
    let current: Buffer | undefined = firstPart;
    let next: IteratorResult<Buffer> = second;
    while (current) {
      const part = { bucketName: bucket, objectName: key, uploadID: uploadId, partNumber, headers: { 'Content-Length': current.length } };
      const bytes = current;
      const uploaded = await retry('upload part', () => client.uploadPart(part, bytes));
      etags.push({ part: partNumber, etag: uploaded.etag });
      partNumber += 1;
      if (next.done) {
        current = undefined;
      } else {
        current = next.value;
        hash.update(current);
        sizeBytes += current.length;
        next = await parts.next();
      }
    }
    await retry('complete multipart upload', () => client.completeMultipartUpload(bucket, key, uploadId, etags));
  } catch (error) {
    await client.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
    throw error;
  }
  return { key, sizeBytes, sha256: hash.digest('hex') };
}
