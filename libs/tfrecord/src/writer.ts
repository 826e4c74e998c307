import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pipeline, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

import { createCompressStream, type TFRecordCompression } from './compression.js';
import { RECORD_OVERHEAD_BYTES, encodeRecordFooter, encodeRecordHeader } from './framing.js';

export interface TFRecordWriterOptions {
  /** Compression of the whole framed stream. Default `none`, as in TensorFlow's `TFRecordWriter`. */
  compression?: TFRecordCompression;
}

/** Position of a framed record in the uncompressed stream. */
export interface RecordLocation {
  offset: number;
  /** Size of the framed record: 16 bytes of framing plus the data. */
  sizeBytes: number;
}

/** Totals of a closed writer. */
export interface TFRecordWriteSummary {
  records: number;
  /** Size of the uncompressed framed stream. */
  bytes: number;
  /** Bytes handed to the sink: the compressed size under GZIP or ZLIB, else equal to `bytes`. */
  outputBytes: number;
}

/**
 * Streams framed records into a Node `Writable` such as a file stream or an upload stream. When
 * each write is awaited, it buffers no more than one record beyond the high-water marks of the
 * sink and, under GZIP or ZLIB, of the compressor. The writer ends the sink on {@link close}
 * and destroys it on {@link destroy}. It keeps a reference to each `data` array until the sink
 * has consumed it, so callers must not modify an array after passing it to {@link write}.
 */
export class TFRecordWriter {
  private readonly input: Writable;
  private readonly done: Promise<void>;
  private readonly failed: Promise<never>;
  private failure: unknown;
  private closing: Promise<TFRecordWriteSummary> | undefined;
  private records = 0;
  private bytes = 0;
  private outputBytes = 0;

  constructor(
    private readonly sink: Writable,
    options: TFRecordWriterOptions = {},
  ) {
    const compression = options.compression ?? 'none';

    if (compression === 'none') {
      this.input = sink;
      this.done = finished(sink, { readable: false });
    } else {
      const compressor = createCompressStream(compression);
      this.input = compressor;
      this.done = new Promise((resolve, reject) => {
        pipeline(compressor, sink, (error) => (error ? reject(error) : resolve()));
      });
      compressor.on('data', (chunk: Uint8Array) => {
        this.outputBytes += chunk.length;
      });
    }

    this.failed = this.done.then(
      () => new Promise<never>(() => undefined),
      (error: unknown) => {
        this.failure = error;
        throw error;
      },
    );
    // Failures surface through write() and close(), so this handler only marks them as observed.
    this.failed.catch(() => undefined);
  }

  /**
   * Appends one record and returns its location in the uncompressed stream. The data may be given
   * as consecutive parts, such as those of `encodeExampleParts`, which are written without being
   * joined. Resolves once the sink can accept more data, so awaiting each call applies the sink's
   * backpressure.
   */
  async write(data: Uint8Array | readonly Uint8Array[]): Promise<RecordLocation> {
    const parts = data instanceof Uint8Array ? [data] : data;
    if (!Array.isArray(parts)) {
      throw new TypeError(`TFRecordWriter.write: data must be a Uint8Array or an array of them, got ${typeof data}`);
    }
    const badIndex = parts.findIndex((part) => !(part instanceof Uint8Array));
    if (badIndex !== -1) {
      throw new TypeError(`TFRecordWriter.write: part ${badIndex} of the data is a ${typeof parts[badIndex]}, expected a Uint8Array`);
    }
    this.assertWritable();

    let dataSizeBytes = 0;
    for (const part of parts) {
      dataSizeBytes += part.length;
    }
    const location = { offset: this.bytes, sizeBytes: RECORD_OVERHEAD_BYTES + dataSizeBytes };
    this.records += 1;
    this.bytes += location.sizeBytes;

    this.input.write(encodeRecordHeader(dataSizeBytes));
    for (const part of parts) {
      if (part.length > 0) {
        this.input.write(part);
      }
    }
    const hasRoom = this.input.write(encodeRecordFooter(data));
    if (!hasRoom) {
      await Promise.race([once(this.input, 'drain'), this.failed]);
    }
    return location;
  }

  /** Ends the stream, waits until the sink has finished, and returns the totals. */
  close(): Promise<TFRecordWriteSummary> {
    this.closing ??= this.finish();
    return this.closing;
  }

  /** Abandons the stream: destroys the compressor (if any) and the sink with `error`. */
  destroy(error?: Error): void {
    this.failure ??= error ?? new Error('TFRecordWriter was destroyed');
    this.input.destroy(error);
    if (this.input !== this.sink) {
      this.sink.destroy(error);
    }
  }

  private async finish(): Promise<TFRecordWriteSummary> {
    this.assertNotFailed();
    this.input.end();
    await this.done;
    return {
      records: this.records,
      bytes: this.bytes,
      outputBytes: this.input === this.sink ? this.bytes : this.outputBytes,
    };
  }

  private assertWritable(): void {
    if (this.closing !== undefined) {
      throw new Error('TFRecordWriter.write: called after close()');
    }
    this.assertNotFailed();
  }

  private assertNotFailed(): void {
    if (this.failure !== undefined) {
      throw this.failure;
    }
  }
}

/**
 * Bytes a file stream buffers before `write` returns false. Node's 16 KiB default is smaller than
 * one JPEG-sized record, so each record would wait for the previous file write to finish, and
 * encoding would never overlap writing.
 */
const FILE_WRITE_BUFFER_BYTES = 1024 * 1024;

/** Totals of {@link writeTFRecordFile}, with the location of every record for an index. */
export interface TFRecordFileSummary extends TFRecordWriteSummary {
  locations: RecordLocation[];
}

/**
 * Writes `records` to a new TFRecord file at `filePath`, replacing any existing file. On failure
 * the partial file is left in place and the error is rethrown.
 */
export async function writeTFRecordFile(
  filePath: string,
  records: Iterable<Uint8Array | readonly Uint8Array[]> | AsyncIterable<Uint8Array | readonly Uint8Array[]>,
  options: TFRecordWriterOptions = {},
): Promise<TFRecordFileSummary> {
  const writer = new TFRecordWriter(createWriteStream(filePath, { highWaterMark: FILE_WRITE_BUFFER_BYTES }), options);
  const locations: RecordLocation[] = [];

  try {
    for await (const data of records) {
      locations.push(await writer.write(data));
    }
  } catch (error) {
    writer.destroy(error instanceof Error ? error : undefined);
    throw error;
  }

  const summary = await writer.close();
  return { ...summary, locations };
}
