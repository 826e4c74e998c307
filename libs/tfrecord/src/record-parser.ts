import type { TFRecordCompression } from './compression.js';
import { TFRecordDataLossError } from './errors.js';
import { FrameReader, type TFRecord } from './frame-reader.js';

export type { TFRecord } from './frame-reader.js';

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
  /** Compression the stream is read with (under `auto`, the detected one), set when the first record is requested. */
  compression?: TFRecordCompression;
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
 * Yields the records of an uncompressed TFRecord chunk stream. Damage throws, unless
 * `skipCorrupt` is set: then a record with a bad data CRC is skipped, and any other damage ends
 * the read, because the next record cannot be located. Either case goes to `onSkip`.
 */
export async function* parseRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: ParseRecordsOptions,
): AsyncGenerator<TFRecord, void, undefined> {
  const { summary } = options;
  const frames = new FrameReader(chunks, options.fileName, options.sourceSizeBytes);

  const report = (error: TFRecordDataLossError, endsRead: boolean): void => {
    summary.lastError = error;
    if (!options.skipCorrupt) {
      throw error;
    }
    summary.skippedRecords += 1;
    summary.endedEarly ||= endsRead;
    options.onSkip?.(error);
  };

  try {
    for (;;) {
      let frame;
      try {
        frame = await frames.next();
      } catch (error) {
        if (!(error instanceof TFRecordDataLossError)) {
          throw error;
        }
        report(error, true);
        return;
      }

      if (frame === undefined) {
        return;
      }
      if (frame.dataCrcError !== undefined) {
        report(frame.dataCrcError, false);
        continue;
      }
      summary.records += 1;
      yield frame.record;
    }
  } finally {
    await frames.close();
  }
}
