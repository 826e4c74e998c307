import { GrpcStatus, ServiceError } from '@inception/rpc';
import { StorageError } from '@inception/storage';
import { ImportError } from '../domain/errors.js';

const IMPORT_ERROR_CODES = {
  'invalid-argument': GrpcStatus.INVALID_ARGUMENT,
  'not-found': GrpcStatus.NOT_FOUND,
  'resource-exhausted': GrpcStatus.RESOURCE_EXHAUSTED,
  'already-exists': GrpcStatus.ALREADY_EXISTS,
} as const;

/** Maps domain and storage errors to the status the client receives; other errors pass unchanged and become INTERNAL. */
export function toServiceError(error: unknown, signal?: AbortSignal): unknown {
  if (error instanceof ServiceError) return error;
  if (error instanceof ImportError) return new ServiceError(IMPORT_ERROR_CODES[error.kind], error.message, { cause: error });
  if (error instanceof StorageError && error.kind === 'not-found') return ServiceError.notFound(error.message);
  if (error instanceof StorageError && error.kind === 'unavailable') return ServiceError.unavailable(error.message, error);
  if (signal?.aborted) return new ServiceError(GrpcStatus.CANCELLED, `import stopped: ${String((signal.reason as Error | undefined)?.message ?? signal.reason)}`);
  return error;
}
