/**
 * Check that failed while reading a checkpoint:
 * - `not-found`: no checkpoint, file or tensor exists under the requested name.
 * - `truncated`: a file ended before a block, footer or tensor that it points to.
 * - `corrupt`: a structure does not parse: bad magic number, block layout, protobuf or key.
 * - `block-crc`: an SSTable block's masked CRC32C does not match its contents.
 * - `tensor-crc`: a V2 tensor's CRC32C, stored in its BundleEntryProto, does not match its bytes.
 * - `string-lengths-crc`: the CRC32C after the lengths of a V2 string tensor does not match.
 * - `decompression`: a Snappy-compressed block does not decompress.
 * - `unsupported`: the file is valid but uses a dtype, compression or version this reader lacks.
 */
export type CheckpointCheck =
  | 'not-found'
  | 'truncated'
  | 'corrupt'
  | 'block-crc'
  | 'tensor-crc'
  | 'string-lengths-crc'
  | 'decompression'
  | 'unsupported';

/** Fields of a {@link CheckpointError}, besides the human-readable detail. */
export interface CheckpointErrorDetails {
  /** The file being read, such as `model.ckpt-46900.index` or a V1 checkpoint's path. */
  fileName: string;
  check: CheckpointCheck;
  /** Description of the failure with the values involved, e.g. `CRC32C mismatch (stored 0x…, computed 0x…)`. */
  detail: string;
  /** Name of the tensor being read, when the failure concerns one. */
  tensorName?: string;
  cause?: unknown;
}

/**
 * Raised when a TensorFlow checkpoint cannot be read: a missing file or tensor, damaged bytes, or
 * a feature outside this reader. TensorFlow reports damaged bytes as `DataLossError`.
 */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  readonly fileName: string;
  readonly check: CheckpointCheck;
  readonly tensorName: string | undefined;

  constructor(details: CheckpointErrorDetails) {
    const subject = details.tensorName === undefined ? details.fileName : `${details.fileName}, tensor ${details.tensorName}`;
    super(`${subject}: ${details.detail}`, { cause: details.cause });
    this.fileName = details.fileName;
    this.check = details.check;
    this.tensorName = details.tensorName;
  }
}
