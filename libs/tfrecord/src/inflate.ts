import { once } from 'node:events';
import zlib from 'node:zlib';

/** Inflated chunks queued for a slow consumer before the inflate stream is paused. */
const MAX_QUEUED_CHUNKS = 16;

/**
 * Inflates a GZIP or ZLIB chunk stream. Output is yielded before an error is thrown, so records
 * ahead of a damaged region are still read, which a stream's async iterator would not do because
 * it drops buffered output on error. The thrown error is zlib's (see `zlibErrorCheck`) or the
 * source's own. Ending the iteration early destroys the inflate stream and releases the source.
 *
 * NOTE: Node's zlib binding discards the output of the inflate call that fails, up to one
 * `chunkSize` (16 KiB by default), so the last records before a damaged region may be lost and
 * the error then names an earlier record.
 */
export async function* inflateChunks(
  chunks: AsyncIterable<Uint8Array>,
  compression: 'gzip' | 'zlib',
): AsyncGenerator<Uint8Array, void, undefined> {
  const inflate = compression === 'gzip' ? zlib.createGunzip() : zlib.createInflate();
  const stopFeeding = new AbortController();
  const queue: Uint8Array[] = [];
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;

  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  inflate.on('data', (chunk: Uint8Array) => {
    queue.push(chunk);
    if (queue.length >= MAX_QUEUED_CHUNKS) {
      inflate.pause();
    }
    notify();
  });
  inflate.on('error', (error) => {
    failure = error;
    notify();
  });
  inflate.on('end', () => {
    ended = true;
    notify();
  });

  // Runs until the source ends or the consumer stops. It never rejects, because failures reach
  // the consumer through the destroyed inflate stream.
  const feed = async (): Promise<void> => {
    try {
      for await (const chunk of chunks) {
        if (stopFeeding.signal.aborted) {
          return;
        }
        if (!inflate.write(chunk)) {
          await once(inflate, 'drain', { signal: stopFeeding.signal });
        }
      }
      inflate.end();
    } catch (error) {
      if (!stopFeeding.signal.aborted) {
        inflate.destroy(error as Error);
      }
    }
  };
  void feed();

  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        if (queue.length < MAX_QUEUED_CHUNKS / 2) {
          inflate.resume();
        }
        yield chunk;
      } else if (failure !== undefined) {
        throw failure;
      } else if (ended) {
        return;
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
  } finally {
    // The source is released by feed() once its pending read, if any, returns.
    stopFeeding.abort();
    inflate.destroy();
  }
}
