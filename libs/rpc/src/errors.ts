import { status as GrpcStatus, type ServiceError as GrpcServiceError } from '@grpc/grpc-js';

export { GrpcStatus };

/**
 * The one error type that crosses a gRPC boundary. Handlers throw it with the status the client
 * should see; clients receive it with the status and message the server sent.
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';

  constructor(
    readonly code: GrpcStatus,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Name of the status code, e.g. "INVALID_ARGUMENT". */
  get codeName(): string {
    return GrpcStatus[this.code] ?? `STATUS_${this.code}`;
  }

  static invalidArgument(message: string): ServiceError {
    return new ServiceError(GrpcStatus.INVALID_ARGUMENT, message);
  }

  static notFound(message: string): ServiceError {
    return new ServiceError(GrpcStatus.NOT_FOUND, message);
  }

  static failedPrecondition(message: string): ServiceError {
    return new ServiceError(GrpcStatus.FAILED_PRECONDITION, message);
  }

  static alreadyExists(message: string): ServiceError {
    return new ServiceError(GrpcStatus.ALREADY_EXISTS, message);
  }

  static unavailable(message: string, cause?: unknown): ServiceError {
    return new ServiceError(GrpcStatus.UNAVAILABLE, message, { cause });
  }

  static dataLoss(message: string, cause?: unknown): ServiceError {
    return new ServiceError(GrpcStatus.DATA_LOSS, message, { cause });
  }

  static internal(message: string, cause?: unknown): ServiceError {
    return new ServiceError(GrpcStatus.INTERNAL, message, { cause });
  }
}

/** Converts an error a grpc-js client call failed with into a ServiceError. */
export function serviceErrorFromGrpc(error: GrpcServiceError | Error, method: string): ServiceError {
  const grpcError = error as Partial<GrpcServiceError>;
  if (typeof grpcError.code === 'number') {
    return new ServiceError(grpcError.code, grpcError.details || error.message, { cause: error });
  }
  return new ServiceError(GrpcStatus.UNKNOWN, `${method}: ${error.message}`, { cause: error });
}

/** Returns the error a handler threw as the status sent to the client. */
export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return ServiceError.internal(`internal error: ${message}`, error);
}
