/**
 * Input of the TFRecord reader: an iterable or async iterable of byte chunks, such as a file
 * stream, an S3 download stream, an async generator or an array of buffers. Chunks must not be
 * modified after they are yielded, because records are returned as views of them where possible.
 */
export type TFRecordSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | NodeJS.ReadableStream;

/** Yields the chunks of `source`, rejecting chunks that are not bytes. */
export async function* byteChunksOf(source: TFRecordSource): AsyncGenerator<Uint8Array> {
  for await (const chunk of source as AsyncIterable<unknown>) {
    if (typeof chunk === 'string') {
      throw new TypeError('TFRecord source yielded a string chunk; read the stream without setEncoding()');
    }
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(`TFRecord source yielded a ${typeof chunk} chunk; expected Uint8Array chunks`);
    }
    yield chunk;
  }
}

/**
 * Chunk source whose first bytes can be inspected before it is read from the start, which
 * compression detection needs on streams that cannot seek.
 */
export class PeekableChunks {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly buffered: Uint8Array[] = [];
  private bufferedBytes = 0;
  private sourceEnded = false;
  private replayed = false;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  /** Whether the source has no chunks left beyond those already buffered. */
  get isSourceEnded(): boolean {
    return this.sourceEnded;
  }

  /**
   * Buffers chunks until `sizeBytes` bytes are available or the source ends, and returns the first
   * `sizeBytes` bytes, or all of them when the source is shorter.
   */
  async peek(sizeBytes: number): Promise<Uint8Array> {
    while (this.bufferedBytes < sizeBytes && !this.sourceEnded) {
      const result = await this.iterator.next();
      if (result.done) {
        this.sourceEnded = true;
      } else if (result.value.length > 0) {
        this.buffered.push(result.value);
        this.bufferedBytes += result.value.length;
      }
    }
    return this.prefix(Math.min(sizeBytes, this.bufferedBytes));
  }

  /** Yields the buffered chunks and then the rest of the source. Callable once. */
  async *replay(): AsyncGenerator<Uint8Array> {
    if (this.replayed) {
      throw new Error('PeekableChunks.replay: the source was already replayed');
    }
    this.replayed = true;

    try {
      yield* this.buffered.splice(0);
      while (!this.sourceEnded) {
        const result = await this.iterator.next();
        if (result.done) {
          this.sourceEnded = true;
        } else {
          yield result.value;
        }
      }
    } finally {
      await this.close();
    }
  }

  /** Releases the source (destroying a stream) unless it has ended already. */
  async close(): Promise<void> {
    if (!this.sourceEnded) {
      this.sourceEnded = true;
      await this.iterator.return?.();
    }
  }

  private prefix(sizeBytes: number): Uint8Array {
    if (this.buffered.length === 0) {
      return new Uint8Array(0);
    }
    if (this.buffered[0].length >= sizeBytes) {
      return this.buffered[0].subarray(0, sizeBytes);
    }

    const out = new Uint8Array(sizeBytes);
    let written = 0;
    for (const chunk of this.buffered) {
      if (written === sizeBytes) {
        break;
      }
      const part = chunk.subarray(0, sizeBytes - written);
      out.set(part, written);
      written += part.length;
    }
    return out;
  }
}
