import { constants as bufferConstants } from 'node:buffer';

import { ByteQueue } from './byte-queue.js';
import { zlibErrorCheck } from './compression.js';
import { maskedCrc32c } from './crc.js';
import { TFRecordDataLossError, type TFRecordCheck } from './errors.js';
import {
  FOOTER_SIZE_BYTES,
  HEADER_SIZE_BYTES,
  RECORD_OVERHEAD_BYTES,
  decodeRecordFooter,
  decodeRecordHeader,
  describeCrcMismatch,
} from './framing.js';

/** One record read from a TFRecord stream. */
export interface TFRecord {
  /** Zero-based position in the file, counting records skipped as corrupt. */
  index: number;
  /** Offset of the record's header in the uncompressed stream. */
  offset: number;
  data: Uint8Array;
}

/** A framed record, with the error of its data CRC when that check failed. */
export interface RecordFrame {
  record: TFRecord;
  dataCrcError?: TFRecordDataLossError;
}

/**
 * Data size above which a record cannot be held in one buffer. Such a record is counted and
 * dropped as it streams past, so a damaged length never leads to a huge allocation.
 */
const MAX_BUFFERED_DATA_BYTES = bufferConstants.MAX_LENGTH - FOOTER_SIZE_BYTES;

/**
 * Splits an uncompressed TFRecord chunk stream into framed records. Records may span chunk
 * boundaries. No buffer is sized from a stored length: data accumulates only as chunks arrive,
 * so a length longer than the rest of the stream fails as `truncated` when the stream ends, or
 * at once when the stream size is known.
 */
export class FrameReader {
  private readonly queue = new ByteQueue();
  private readonly iterator: AsyncIterator<Uint8Array>;
  private sourceEnded = false;
  private index = 0;
  private offset = 0;

  /** `sourceSizeBytes` is the size of the uncompressed stream, if known. */
  constructor(
    chunks: AsyncIterable<Uint8Array>,
    private readonly fileName: string,
    private readonly sourceSizeBytes?: number,
  ) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  /**
   * Reads the next record and checks both CRCs. Returns undefined at the end of the stream. A data
   * CRC mismatch is returned with the record, because reading can resume after it. Any other
   * damage throws {@link TFRecordDataLossError}, after which the stream cannot be read further.
   */
  async next(): Promise<RecordFrame | undefined> {
    const dataSizeBytes = await this.readHeader();
    if (dataSizeBytes === undefined) {
      return undefined;
    }
    await this.bufferBody(dataSizeBytes);

    const data = this.queue.take(dataSizeBytes);
    const storedDataCrc = decodeRecordFooter(this.queue.take(FOOTER_SIZE_BYTES));
    const computedDataCrc = maskedCrc32c(data);
    const frame: RecordFrame = { record: { index: this.index, offset: this.offset, data } };
    if (storedDataCrc !== computedDataCrc) {
      frame.dataCrcError = this.damage('data-crc', describeCrcMismatch('data', storedDataCrc, computedDataCrc));
    }

    this.index += 1;
    this.offset += RECORD_OVERHEAD_BYTES + dataSizeBytes;
    return frame;
  }

  /** Releases the source (destroying a stream) unless it has ended. */
  async close(): Promise<void> {
    if (!this.sourceEnded) {
      this.sourceEnded = true;
      await this.iterator.return?.();
    }
  }

  // Returns the data size from a header whose length CRC is valid, or undefined at a clean end.
  private async readHeader(): Promise<number | undefined> {
    if (!(await this.fill(HEADER_SIZE_BYTES))) {
      if (this.queue.length === 0) {
        return undefined;
      }
      throw this.damage('truncated', `truncated header (${HEADER_SIZE_BYTES} bytes needed, ${this.queue.length} remain)`);
    }

    const header = decodeRecordHeader(this.queue.take(HEADER_SIZE_BYTES));
    if (header.storedLengthCrc !== header.computedLengthCrc) {
      throw this.damage('length-crc', describeCrcMismatch('length', header.storedLengthCrc, header.computedLengthCrc));
    }
    return header.dataSizeBytes;
  }

  // Buffers the data and footer that follow a valid header, or throws `truncated`.
  private async bufferBody(dataSizeBytes: number): Promise<void> {
    const bodyBytes = dataSizeBytes + FOOTER_SIZE_BYTES;
    const describeShortfall = (remainingBytes: number): string =>
      `truncated record (data length ${dataSizeBytes} needs ${bodyBytes} bytes after the header, ${remainingBytes} remain)`;

    if (this.sourceSizeBytes !== undefined) {
      const remainingBytes = this.sourceSizeBytes - this.offset - HEADER_SIZE_BYTES;
      if (bodyBytes > remainingBytes) {
        throw this.damage('truncated', describeShortfall(remainingBytes));
      }
    }

    if (dataSizeBytes > MAX_BUFFERED_DATA_BYTES) {
      const remainingBytes = await this.discardUpTo(bodyBytes);
      if (remainingBytes < bodyBytes) {
        throw this.damage('truncated', describeShortfall(remainingBytes));
      }
      throw new RangeError(
        `${this.fileName} record ${this.index} at offset ${this.offset}: data length ${dataSizeBytes} ` +
          `exceeds the maximum buffer size of ${MAX_BUFFERED_DATA_BYTES} bytes`,
      );
    }

    if (!(await this.fill(bodyBytes))) {
      throw this.damage('truncated', describeShortfall(this.queue.length));
    }
  }

  // Pulls chunks until `sizeBytes` bytes are queued. Returns false if the stream ends first.
  private async fill(sizeBytes: number): Promise<boolean> {
    while (this.queue.length < sizeBytes && !this.sourceEnded) {
      await this.pullChunk();
    }
    return this.queue.length >= sizeBytes;
  }

  // Drops up to `sizeBytes` bytes as they arrive and returns how many arrived.
  private async discardUpTo(sizeBytes: number): Promise<number> {
    let discardedBytes = this.queue.discard(sizeBytes);
    while (discardedBytes < sizeBytes && !this.sourceEnded) {
      await this.pullChunk();
      discardedBytes += this.queue.discard(sizeBytes - discardedBytes);
    }
    return discardedBytes;
  }

  private async pullChunk(): Promise<void> {
    let result: IteratorResult<Uint8Array>;
    try {
      result = await this.iterator.next();
    } catch (error) {
      this.sourceEnded = true;
      const check = zlibErrorCheck(error);
      if (check === undefined) {
        throw error;
      }
      throw this.damage(check, `invalid compressed stream: ${(error as Error).message}`, error);
    }

    if (result.done) {
      this.sourceEnded = true;
    } else {
      this.queue.push(result.value);
    }
  }

  private damage(check: TFRecordCheck, detail: string, cause?: unknown): TFRecordDataLossError {
    return new TFRecordDataLossError({
      fileName: this.fileName,
      recordIndex: this.index,
      offset: this.offset,
      check,
      detail,
      cause,
    });
  }
}
