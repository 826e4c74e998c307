import { hasEndMarker, type ImageFormat } from './image-format.js';

/**
 * Why an input was rejected:
 * - `empty`: zero bytes.
 * - `not-an-image`: the leading bytes match none of JPEG, PNG, GIF, BMP, WebP or TIFF.
 * - `unsupported`: a known format using a feature that the decoder lacks, such as RLE-compressed
 *   BMP or a 12-bit JPEG.
 * - `too-many-pixels`: the header's width × height exceeds the limit. Checked before decoding, so
 *   decompression bombs are never expanded.
 * - `truncated`: the data ends early.
 * - `corrupt`: the header or compressed data is invalid, including data that libjpeg decodes with
 *   only a warning such as "Corrupt JPEG data: bad Huffman code".
 */
export type ImageRejectReason = 'empty' | 'not-an-image' | 'unsupported' | 'too-many-pixels' | 'truncated' | 'corrupt';

/** Raised by the probing and decoding functions for input that cannot be used as an image. */
export class ImageRejectedError extends Error {
  override readonly name = 'ImageRejectedError';
  readonly reason: ImageRejectReason;

  constructor(reason: ImageRejectReason, detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.reason = reason;
  }
}

/**
 * The message of sharp 0.35 for a decode that fails on a libvips warning (failOn) after libvips'
 * own text is gone. libvips keeps one error buffer for all threads and every sharp call clears it
 * when it ends, so under concurrency another call can wipe the text first.
 */
export const GENERIC_FAIL_ON_MESSAGE = 'Warning treated as error due to failOn setting';

/** True when `error` is sharp's failOn failure without libvips' own text. */
export function isGenericFailOnError(error: unknown): boolean {
  return error instanceof Error && error.message.split('\n').every((line) => line.trim() === '' || line.trim() === GENERIC_FAIL_ON_MESSAGE);
}

// libvips' error buffer can repeat lines left over from earlier failures, so the first line is the
// one for this call. sharp's generic failOn line gives way to the libvips warning after it.
function firstLine(message: string): string {
  const lines = message.split('\n').map((text) => text.trim()).filter((text) => text.length > 0);
  return lines.find((text) => text !== GENERIC_FAIL_ON_MESSAGE) ?? lines[0] ?? message.trim();
}

const TRUNCATION_PATTERN = /premature end|unexpected end|truncat|end of file|not enough image data/i;
// libjpeg's "Corrupt JPEG data: premature end of data segment" means a marker interrupted the
// compressed data, which is damage rather than a short file.
const CORRUPT_JPEG_DATA_PATTERN = /corrupt jpeg data/i;

/**
 * Converts an error thrown by sharp while reading `bytes` into an {@link ImageRejectedError}.
 * A failure counts as truncation when the message reports it or the format's end marker is missing.
 */
export function rejectionFromSharpError(error: unknown, bytes: Uint8Array, format: ImageFormat): ImageRejectedError {
  if (error instanceof ImageRejectedError) {
    return error;
  }
  const message = firstLine(error instanceof Error ? error.message : String(error));
  const detail = `${format.toUpperCase()} decoding failed: ${message}`;

  if (/exceeds pixel limit/i.test(message)) {
    return new ImageRejectedError('too-many-pixels', detail, { cause: error });
  }
  const reportsTruncation = TRUNCATION_PATTERN.test(message) && !CORRUPT_JPEG_DATA_PATTERN.test(message);
  if (reportsTruncation || hasEndMarker(bytes, format) === false) {
    return new ImageRejectedError('truncated', detail, { cause: error });
  }
  return new ImageRejectedError('corrupt', detail, { cause: error });
}
