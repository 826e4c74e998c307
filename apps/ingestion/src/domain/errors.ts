/**
 * Why an import was rejected, in terms the RPC layer maps to gRPC status codes:
 * - `invalid-argument`: the request or its data is wrong (unsafe archive entry, labels that do
 *   not match the folders, a split that leaves a class without training images).
 * - `not-found`: a source folder, file, bucket or prefix does not exist.
 * - `resource-exhausted`: an archive or upload exceeds a configured limit.
 * - `already-exists`: an import with the same import_id is running.
 */
export type ImportErrorKind = 'invalid-argument' | 'not-found' | 'resource-exhausted' | 'already-exists';

/** The one error type of the import domain; the message names the input and the value. */
export class ImportError extends Error {
  override readonly name = 'ImportError';

  constructor(
    readonly kind: ImportErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
