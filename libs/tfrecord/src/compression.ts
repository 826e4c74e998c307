import type { Transform } from 'node:stream';
import zlib from 'node:zlib';

import { HEADER_SIZE_BYTES, startsWithValidHeader } from './framing.js';
import type { PeekableChunks } from './source.js';

/**
 * Compression of a TFRecord stream. TensorFlow's GZIP and ZLIB options compress the whole
 * framed byte stream as one deflate stream (window bits 15, RFC 1952 or RFC 1950 wrapper),
 * not each record on its own.
 */
export type TFRecordCompression = 'none' | 'gzip' | 'zlib';

/** Compression setting of a reader: a known compression, or `auto` to detect it from the first bytes. */
export type TFRecordReadCompression = TFRecordCompression | 'auto';

/** Largest compressed prefix inflated to confirm a guessed compression. */
const MAX_TRIAL_INPUT_BYTES = 64 * 1024;

/**
 * Guesses the compression from the first two bytes: the GZIP magic `1f 8b`, or a ZLIB header
 * (deflate method 8, window at most 32 KiB, no preset dictionary, check bits a multiple of 31).
 * An uncompressed file can start with the same bytes, so callers confirm the guess.
 */
export function guessCompression(head: Uint8Array): TFRecordCompression {
  if (head.length < 2) {
    return 'none';
  }

  const [first, second] = head;
  if (first === 0x1f && second === 0x8b) {
    return 'gzip';
  }

  const isDeflate = (first & 0x0f) === 8 && first >> 4 <= 7;
  const hasPresetDictionary = (second & 0x20) !== 0;
  if (isDeflate && !hasPresetDictionary && ((first << 8) | second) % 31 === 0) {
    return 'zlib';
  }
  return 'none';
}

/**
 * Detects the compression of a stream without consuming it. A GZIP or ZLIB guess from the first
 * bytes is confirmed by inflating a prefix and checking the first record's length CRC. When
 * neither reading yields a valid first header, a prefix that inflates without error decides
 * for the compressed reading, so that a damaged compressed shard is reported inside the
 * inflated stream.
 */
export async function detectCompression(chunks: PeekableChunks): Promise<TFRecordCompression> {
  const head = await chunks.peek(HEADER_SIZE_BYTES);
  const guess = guessCompression(head);
  if (guess === 'none') {
    return 'none';
  }

  const inflated = await inflateTrialPrefix(chunks, guess);
  if (inflated !== undefined && startsWithValidHeader(inflated)) {
    return guess;
  }
  if (startsWithValidHeader(head)) {
    return 'none';
  }
  return inflated === undefined ? 'none' : guess;
}

/**
 * Inflates growing prefixes until one yields a full record header or the source ends. Returns
 * undefined when the prefix is not valid compressed data.
 */
async function inflateTrialPrefix(chunks: PeekableChunks, compression: 'gzip' | 'zlib'): Promise<Uint8Array | undefined> {
  let inflated = new Uint8Array(0);
  for (let trialBytes = 64; trialBytes <= MAX_TRIAL_INPUT_BYTES; trialBytes *= 4) {
    const prefix = await chunks.peek(trialBytes);
    try {
      // Z_SYNC_FLUSH returns what a truncated stream decodes to instead of failing on its end.
      const options = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
      inflated = compression === 'gzip' ? zlib.gunzipSync(prefix, options) : zlib.inflateSync(prefix, options);
    } catch {
      return undefined;
    }
    if (inflated.length >= HEADER_SIZE_BYTES || prefix.length < trialBytes) {
      break;
    }
  }
  return inflated;
}

/** Creates the transform that compresses a framed record stream as TensorFlow's writer does. */
export function createCompressStream(compression: 'gzip' | 'zlib'): Transform {
  return compression === 'gzip' ? zlib.createGzip() : zlib.createDeflate();
}

/**
 * Classifies an error thrown while inflating: `truncated` when the compressed stream ended early,
 * `decompression` for other zlib errors, and undefined for errors that zlib did not raise.
 */
export function zlibErrorCheck(error: unknown): 'truncated' | 'decompression' | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) {
    return undefined;
  }
  return code === 'Z_BUF_ERROR' ? 'truncated' : 'decompression';
}
