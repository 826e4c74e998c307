/** Why an object-store operation failed, in terms callers branch on. */
export type StorageErrorKind = 'not-found' | 'integrity' | 'invalid-argument' | 'unavailable' | 'failed';

/** The one error type of the storage boundary; `kind` says what went wrong, `key` which object. */
export class StorageError extends Error {
  override readonly name = 'StorageError';

  constructor(
    readonly kind: StorageErrorKind,
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Error codes of connection failures (Node) and of S3 responses that mean "try again" (5xx, throttling). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
]);

/**
 * minio-js 8.0 turns a 408, 429 or 5xx response into a plain Error without a code whose message
 * names the status ("Request failed after 0 retries: Error: Retryable HTTP status: 503").
 */
const RETRYABLE_HTTP_STATUS = /Retryable HTTP status: (\d{3})/;

/** Converts a minio client error into a StorageError for `key`. */
export function storageErrorFrom(error: unknown, key: string, action: string): StorageError {
  if (error instanceof StorageError) {
    return error;
  }
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket') {
    return new StorageError('not-found', key, `${action} ${key}: object not found`, { cause: error });
  }
  if (UNAVAILABLE_CODES.has(code)) {
    return new StorageError('unavailable', key, `${action} ${key}: object store unavailable (${code}: ${message})`, { cause: error });
  }
  const status = RETRYABLE_HTTP_STATUS.exec(message)?.[1];
  if (status) {
    return new StorageError('unavailable', key, `${action} ${key}: object store unavailable (HTTP ${status})`, { cause: error });
  }
  return new StorageError('failed', key, `${action} ${key} failed: ${code ? `${code}: ` : ''}${message}`, { cause: error });
}
