import { open } from 'node:fs/promises';

import { detectCompression, type TFRecordReadCompression } from './compression.js';
import { inflateChunks } from './inflate.js';
import type { TFRecordDataLossError } from './errors.js';
import { parseRecords, type TFRecord, type TFRecordReadSummary } from './record-parser.js';
import { PeekableChunks, byteChunksOf, type TFRecordSource } from './source.js';

export interface ReadTFRecordsOptions {
  /** Name of the input in error messages, such as a file path or an object key. */
  fileName: string;
  /** Compression of the input. Default `auto`: detect GZIP and ZLIB, otherwise read as uncompressed. */
  compression?: TFRecordReadCompression;
  /**
   * Default false: damage throws {@link TFRecordDataLossError}. When true, a record whose data CRC
   * fails is skipped and reading continues. A bad length CRC, a truncated record or an invalid
   * compressed stream leaves no way to find the next record, so it ends the read without throwing.
   * Each case is passed to `onSkip` and counted in {@link TFRecordReader.summary}.
   */
  skipCorrupt?: boolean;
  onSkip?: (error: TFRecordDataLossError) => void;
  /**
   * Size of the input in bytes, if known. For uncompressed input it lets a stored length that
   * points past the end fail at once instead of when the stream ends.
   */
  sourceSizeBytes?: number;
}

/**
 * Chunk size of file reads. Sixteen times fewer reads than Node's 64 KiB default, and a JPEG-sized
 * record (about 110 KB) then usually lies inside one chunk and is returned without a copy.
 * NOTE: a returned record is a view that keeps its whole chunk in memory, so a caller that keeps
 * a few small records out of many chunks should copy them.
 */
const FILE_READ_CHUNK_BYTES = 1024 * 1024;

interface OpenedSource {
  source: TFRecordSource;
  sourceSizeBytes?: number;
}

/**
 * Records of one TFRecord stream, iterable once. {@link summary} contains the counts of the read,
 * final when iteration has finished.
 */
export class TFRecordReader implements AsyncIterable<TFRecord> {
  readonly summary: TFRecordReadSummary = { records: 0, skippedRecords: 0, endedEarly: false };
  private iterated = false;

  constructor(
    private readonly openSource: () => Promise<OpenedSource>,
    private readonly options: ReadTFRecordsOptions,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<TFRecord> {
    if (this.iterated) {
      throw new Error(`TFRecordReader for ${this.options.fileName} can be iterated only once`);
    }
    this.iterated = true;
    return this.readRecords();
  }

  private async *readRecords(): AsyncGenerator<TFRecord, void, undefined> {
    const opened = await this.openSource();
    const chunks = new PeekableChunks(byteChunksOf(opened.source));

    let compression = this.options.compression ?? 'auto';
    if (compression === 'auto') {
      try {
        compression = await detectCompression(chunks);
      } catch (error) {
        await chunks.close();
        throw error;
      }
    }

    this.summary.compression = compression;

    const plainChunks = compression === 'none' ? chunks.replay() : inflateChunks(chunks.replay(), compression);
    yield* parseRecords(plainChunks, {
      fileName: this.options.fileName,
      skipCorrupt: this.options.skipCorrupt ?? false,
      onSkip: this.options.onSkip,
      sourceSizeBytes: compression === 'none' ? (opened.sourceSizeBytes ?? this.options.sourceSizeBytes) : undefined,
      summary: this.summary,
    });
  }
}

/**
 * Reads the records of a TFRecord stream, holding at most one record and one chunk at a time.
 * Throws {@link TFRecordDataLossError} on damage unless `skipCorrupt` is set.
 */
export function readTFRecords(source: TFRecordSource, options: ReadTFRecordsOptions): TFRecordReader {
  return new TFRecordReader(async () => ({ source, sourceSizeBytes: options.sourceSizeBytes }), options);
}

/**
 * Reads the records of a TFRecord file, streaming it. The file is opened when iteration starts
 * and closed when it ends, also when it ends early. `fileName` defaults to `filePath`.
 */
export function readTFRecordFile(
  filePath: string,
  options: Omit<ReadTFRecordsOptions, 'fileName' | 'sourceSizeBytes'> & { fileName?: string } = {},
): TFRecordReader {
  const openFile = async (): Promise<OpenedSource> => {
    const handle = await open(filePath, 'r');
    try {
      const { size } = await handle.stat();
      return { source: handle.createReadStream({ highWaterMark: FILE_READ_CHUNK_BYTES }), sourceSizeBytes: size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  };
  return new TFRecordReader(openFile, { ...options, fileName: options.fileName ?? filePath });
}
