import { constants as bufferConstants } from 'node:buffer';

import { ByteQueue } from './byte-queue.js';
import { zlibErrorCheck } from './compression.js';
import { TFRecordDataLossError, type TFRecordCheck } from './errors.js';
import {
  FOOTER_SIZE_BYTES,
  HEADER_SIZE_BYTES,
  RECORD_OVERHEAD_BYTES,
  decodeRecordFooter,
  decodeRecordHeader,
  describeCrcMismatch,
} from './framing.js';
import { maskedCrc32c } from './crc.js';

/** One record read from a TFRecord stream. */
export interface TFRecord {
  /** Zero-based position in the file, counting records skipped as corrupt. */
  index: number;
  /** Offset of the record's header in the uncompressed stream. */
  offset: number;
  data: Uint8Array;
}

/** Counts of a read, complete once iteration has finished. */
export interface TFRecordReadSummary {
  /** Records returned. */
  records: number;
  /** Records dropped under `skipCorrupt`, including the one whose damage ended the read. */
  skippedRecords: number;
  /** Whether damage that cannot be skipped ended the read before the end of the stream. */
  endedEarly: boolean;
  /** The last damage found, thrown or reported through `onSkip`. */
  lastError?: TFRecordDataLossError;
}

export interface ParseRecordsOptions {
  fileName: string;
  skipCorrupt: boolean;
  onSkip?: (error: TFRecordDataLossError) => void;
  /** Size of the uncompressed stream when known, so a length past its end fails at once. */
  sourceSizeBytes?: number;
  summary: TFRecordReadSummary;
}

/**
 * Data size above which a record cannot be held in one buffer. Such a record is counted and
 * dropped as it streams past, so a damaged length never leads to a huge allocation.
 */
const MAX_BUFFERED_DATA_BYTES = bufferConstants.MAX_LENGTH - FOOTER_SIZE_BYTES;

/**
 * Splits an uncompressed TFRecord chunk stream into records, checking both CRCs of each record.
 * Records may span chunk boundaries. No buffer is sized from a stored length: data accumulates
 * only as chunks arrive, so a length longer than the rest of the stream fails as `truncated` when
 * the stream ends.
 */
export async function* parseRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: ParseRecordsOptions,
): AsyncGenerator<TFRecord, void, undefined> {
  const { summary } = options;
  const queue = new ByteQueue();
  const iterator = chunks[Symbol.asyncIterator]();
  let sourceEnded = false;
  let index = 0;
  let offset = 0;

  const damage = (check: TFRecordCheck, detail: string, cause?: unknown): TFRecordDataLossError =>
    new TFRecordDataLossError({ fileName: options.fileName, recordIndex: index, offset, check, detail, cause });

  const pullChunk = async (): Promise<void> => {
    let result: IteratorResult<Uint8Array>;
    try {
      result = await iterator.next();
    } catch (error) {
      sourceEnded = true;
      const check = zlibErrorCheck(error);
      if (check === undefined) {
        throw error;
      }
      throw damage(check, `invalid compressed stream: ${(error as Error).message}`, error);
    }
    if (result.done) {
      sourceEnded = true;
    } else {
      queue.push(result.value);
    }
  };

  const fill = async (sizeBytes: number): Promise<boolean> => {
    while (queue.length < sizeBytes && !sourceEnded) {
      await pullChunk();
    }
    return queue.length >= sizeBytes;
  };

  // Reports damage that ends the read: thrown, or under skipCorrupt passed to onSkip.
  const stop = (error: TFRecordDataLossError): void => {
    summary.lastError = error;
    if (!options.skipCorrupt) {
      throw error;
    }
    summary.skippedRecords += 1;
    summary.endedEarly = true;
    options.onSkip?.(error);
  };

  try {
    for (;;) {
      let header;
      try {
        if (!(await fill(HEADER_SIZE_BYTES))) {
          if (queue.length === 0) {
            return;
          }
          throw damage('truncated', `truncated header (${HEADER_SIZE_BYTES} bytes needed, ${queue.length} remain)`);
        }
        header = decodeRecordHeader(queue.take(HEADER_SIZE_BYTES));
        if (header.storedLengthCrc !== header.computedLengthCrc) {
          throw damage('length-crc', describeCrcMismatch('length', header.storedLengthCrc, header.computedLengthCrc));
        }
        await ensureBody(header.dataSizeBytes);
      } catch (error) {
        if (!(error instanceof TFRecordDataLossError)) {
          throw error;
        }
        stop(error);
        return;
      }

      const data = queue.take(header.dataSizeBytes);
      const storedDataCrc = decodeRecordFooter(queue.take(FOOTER_SIZE_BYTES));
      const computedDataCrc = maskedCrc32c(data);
      const record = { index, offset, data };
      const crcError =
        storedDataCrc === computedDataCrc
          ? undefined
          : damage('data-crc', describeCrcMismatch('data', storedDataCrc, computedDataCrc));

      index += 1;
      offset += RECORD_OVERHEAD_BYTES + header.dataSizeBytes;
      if (crcError === undefined) {
        summary.records += 1;
        yield record;
      } else {
        summary.lastError = crcError;
        if (!options.skipCorrupt) {
          throw crcError;
        }
        summary.skippedRecords += 1;
        options.onSkip?.(crcError);
      }
    }
  } finally {
    if (!sourceEnded) {
      await iterator.return?.();
    }
  }

  // Buffers the data and footer of a record with a valid header, or throws `truncated`.
  async function ensureBody(dataSizeBytes: number): Promise<void> {
    const bodyBytes = dataSizeBytes + FOOTER_SIZE_BYTES;
    const describeShortfall = (remainingBytes: number): string =>
      `truncated record (data length ${dataSizeBytes} needs ${bodyBytes} bytes after the header, ${remainingBytes} remain)`;

    const knownRemainingBytes =
      options.sourceSizeBytes === undefined ? undefined : options.sourceSizeBytes - offset - HEADER_SIZE_BYTES;
    if (knownRemainingBytes !== undefined && bodyBytes > knownRemainingBytes) {
      throw damage('truncated', describeShortfall(knownRemainingBytes));
    }

    if (dataSizeBytes > MAX_BUFFERED_DATA_BYTES) {
      const remainingBytes = await discardUpTo(bodyBytes);
      if (remainingBytes < bodyBytes) {
        throw damage('truncated', describeShortfall(remainingBytes));
      }
      throw new RangeError(
        `${options.fileName} record ${index} at offset ${offset}: data length ${dataSizeBytes} exceeds ` +
          `the maximum buffer size of ${MAX_BUFFERED_DATA_BYTES} bytes`,
      );
    }

    if (!(await fill(bodyBytes))) {
      throw damage('truncated', describeShortfall(queue.length));
    }
  }

  // Drops up to `sizeBytes` bytes as they arrive and returns how many there were, for a record
  // too large to hold.
  async function discardUpTo(sizeBytes: number): Promise<number> {
    let discardedBytes = queue.discard(sizeBytes);
    while (discardedBytes < sizeBytes && !sourceEnded) {
      await pullChunk();
      discardedBytes += queue.discard(sizeBytes - discardedBytes);
    }
    return discardedBytes;
  }
}
