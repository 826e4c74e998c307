/**
 * Check that failed on a damaged record:
 * - `length-crc`: the masked CRC after the length field does not match, so the length cannot be
 *   trusted and no later record can be located.
 * - `data-crc`: the masked CRC after the data does not match. The length was valid, so reading
 *   can resume at the next record.
 * - `truncated`: the input ended inside a record's header, data or footer.
 * - `decompression`: the GZIP or ZLIB stream around the records is invalid.
 */
export type TFRecordCheck = 'length-crc' | 'data-crc' | 'truncated' | 'decompression';

/** Fields of a {@link TFRecordDataLossError}, besides the human-readable detail. */
export interface TFRecordDataLossDetails {
  fileName: string;
  /** Zero-based position of the damaged record in the file, counting skipped records. */
  recordIndex: number;
  /** Offset of the damaged record's first header byte in the uncompressed stream. */
  offset: number;
  check: TFRecordCheck;
  /** Description of the failure with the values involved, e.g. `data CRC mismatch (stored 0x…, computed 0x…)`. */
  detail: string;
  cause?: unknown;
}

/**
 * Raised when a TFRecord stream is damaged: a CRC mismatch, a truncated record or an invalid
 * compressed stream. TensorFlow reports the same conditions as `DataLossError`.
 */
export class TFRecordDataLossError extends Error {
  override readonly name = 'TFRecordDataLossError';
  readonly fileName: string;
  readonly recordIndex: number;
  readonly offset: number;
  readonly check: TFRecordCheck;

  constructor(details: TFRecordDataLossDetails) {
    super(`${details.fileName} record ${details.recordIndex} at offset ${details.offset}: ${details.detail}`, {
      cause: details.cause,
    });
    this.fileName = details.fileName;
    this.recordIndex = details.recordIndex;
    this.offset = details.offset;
    this.check = details.check;
  }
}
