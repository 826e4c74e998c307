import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

import { InvalidArgumentError, Option, type Command } from 'commander';
import { isS3Uri, parseS3Uri } from '@inception/storage';
import {
  TFRecordDataLossError,
  decodeExample,
  readTFRecordFile,
  readTFRecords,
  type FeatureValue,
  type TFRecordReadCompression,
  type TFRecordReader,
} from '@inception/tfrecord';

import { objectStoreFromEnv } from '../build-image-data/object-store-env.js';

/** Options of `inception tfrecord inspect`. */
export interface TfrecordInspectOptions {
  json: boolean;
  /** Maximum records printed per file. The rest are still read, checked and counted. Default: all. */
  limit?: number;
  compression: TFRecordReadCompression;
  full: boolean;
}

/** A printed `bytes_list` value: its text, or its size and digest, and with `--full` all of it in base64. */
type BytesView = { text: string } | { length: number; sha256: string; base64?: string };

interface FeatureView {
  kind: FeatureValue['kind'];
  count: number;
  values: (number | string | BytesView)[];
}

interface RecordView {
  index: number;
  /** Offset of the record's header in the uncompressed stream. */
  offset: number;
  /** Size of the record's data, without the 16 bytes of framing. */
  length: number;
  features?: Record<string, FeatureView>;
  /** Set when the data is not a `tf.train.Example`. */
  notExample?: { sha256: string; error: string };
}

interface FileView {
  file: string;
  compression?: string;
  /** Records read and checked, printed or not. */
  recordCount: number;
  /** The first `--limit` records. */
  records: RecordView[];
  error?: { message: string; check?: string; recordIndex?: number; offset?: number };
}

/** Maximum size of a bytes value printed as text without `--full`. */
const MAX_TEXT_BYTES = 256;
/** Maximum values of a list printed in text mode without `--full`. */
const MAX_LIST_VALUES = 10;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Adds `inception tfrecord inspect` to `program`. */
export function registerTfrecordCommands(program: Command): void {
  program
    .command('tfrecord')
    .description('TFRecord file tools')
    .command('inspect')
    .description(
      'print the records of TFRecord files (local paths or s3://bucket/key, with S3_ENDPOINT, S3_ACCESS_KEY and ' +
        'S3_SECRET_KEY from the environment): offset and length of each record and its Example features; every CRC ' +
        'is checked, and a damaged file exits with status 1 after the records read before the damage',
    )
    .argument('<file...>', 'TFRecord files or s3:// objects')
    .option('--json', 'print JSON: one entry per file with its records, count and error', false)
    .option('--limit <n>', 'records shown per file; all records are still read, checked and counted (default: all)', parseLimit)
    .addOption(new Option('--compression <type>', 'compression of the files; auto detects GZIP and ZLIB').choices(['auto', 'none', 'gzip', 'zlib']).default('auto'))
    .option('--full', 'print every list value, and bytes values in full as base64 instead of their length and SHA-256', false)
    .action(async (files: string[], options: TfrecordInspectOptions) => {
      process.exitCode = await runTfrecordInspect(files, options);
    });
}

/**
 * `inception tfrecord inspect`: reads each file to its end, checking every CRC, and prints the
 * records with their features. Returns the exit status: 1 when any file is damaged or unreadable,
 * after printing what was read from it.
 */
export async function runTfrecordInspect(files: string[], options: TfrecordInspectOptions): Promise<number> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const { compression } = options;

  const views: FileView[] = [];
  for (const file of files) {
    const view: FileView = { file, recordCount: 0, records: [] };
    views.push(view);

    let reader: TFRecordReader;
    try {
      reader = await openReader(file, compression);
    } catch (error) {
      // A file that cannot be opened gets one error line and no listing.
      view.error = describeError(error);
      if (!options.json) printError(view.error);
      continue;
    }

    if (!options.json) console.log(`${file}`);
    try {
      for await (const record of reader) {
        view.recordCount += 1;
        if (view.records.length < limit) {
          const recordView = describeRecord(record.index, record.offset, record.data, options.full);
          view.records.push(recordView);
          if (!options.json) printRecord(recordView, options.full);
        }
      }
    } catch (error) {
      view.error = describeError(error);
    }
    view.compression = reader.summary.compression;

    if (!options.json) printFileSummary(view);
  }

  if (options.json) {
    console.log(JSON.stringify(views, null, 2));
  }
  return views.some((view) => view.error !== undefined) ? 1 : 0;
}

function parseLimit(text: string): number {
  const limit = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(limit) || limit < 0) {
    throw new InvalidArgumentError(`expected a non-negative integer, got "${text}"`);
  }
  return limit;
}

/**
 * Opens a local file or an s3:// object for reading. Throws an error that names the file when it
 * is missing, a folder or unreadable, before anything of it is printed.
 */
async function openReader(file: string, compression: TFRecordReadCompression): Promise<TFRecordReader> {
  if (!isS3Uri(file)) {
    await checkLocalFile(file);
    return readTFRecordFile(file, { compression });
  }

  const { bucket, key } = parseS3Uri(file);
  if (key === '' || key.endsWith('/')) {
    throw new Error(`${file}: the URI names a prefix, not an object. Give the full key of one TFRecord file`);
  }
  const store = objectStoreFromEnv(bucket, file, process.env);
  const info = await store.stat(key);
  if (info === undefined) {
    throw new Error(`${file}: object not found`);
  }
  return readTFRecords(await store.getStream(key), { fileName: file, compression, sourceSizeBytes: info.sizeBytes });
}

/** Messages for the file-system errors of opening or reading a file, by Node's error code. */
const FILE_ERROR_SENTENCES: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
};

// The reader opens the file only once iteration starts, so this opens it first to report a
// missing or unreadable file with its own message instead of Node's "ENOENT: no such file …".
async function checkLocalFile(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r');
    if ((await handle.stat()).isDirectory()) throw new Error(`${file}: is a folder, not a TFRecord file`);
  } catch (error) {
    const sentence = FILE_ERROR_SENTENCES[(error as NodeJS.ErrnoException).code ?? ''];
    throw sentence === undefined ? error : new Error(`${file}: ${sentence}`, { cause: error });
  } finally {
    await handle?.close();
  }
}

function describeRecord(index: number, offset: number, data: Uint8Array, full: boolean): RecordView {
  const view: RecordView = { index, offset, length: data.length };
  let features;
  try {
    features = decodeExample(data);
  } catch (error) {
    view.notExample = { sha256: sha256Hex(data), error: (error as Error).message };
    return view;
  }

  view.features = {};
  for (const key of Object.keys(features).sort()) {
    const feature = features[key];
    view.features[key] = { kind: feature.kind, count: feature.values.length, values: feature.values.map((value) => describeValue(feature.kind, value, full)) };
  }
  return view;
}

function describeValue(kind: FeatureValue['kind'], value: Uint8Array | number | bigint, full: boolean): number | string | BytesView {
  if (kind === 'int64_list') {
    return typeof value === 'bigint' ? value.toString() : (value as number);
  }
  if (kind === 'float_list') {
    return shortestFloat32(value as number);
  }

  const bytes = value as Uint8Array;
  const text = printableText(bytes);
  if (text !== undefined && (full || bytes.length <= MAX_TEXT_BYTES)) {
    return { text };
  }
  const view: BytesView = { length: bytes.length, sha256: sha256Hex(bytes) };
  if (full) view.base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return view;
}

// Returns the UTF-8 text of `bytes` when it decodes and has no control characters but tab and newline.
function printableText(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  return /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text) ? undefined : text;
}

/**
 * Returns the shortest decimal that reads back as the same float32, so 0.76 stored as float32
 * prints as 0.76 rather than 0.7599999904632568. NaN and infinities become strings for JSON.
 */
function shortestFloat32(value: number): number | string {
  if (!Number.isFinite(value)) return String(value);
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function describeError(error: unknown): NonNullable<FileView['error']> {
  if (error instanceof TFRecordDataLossError) {
    return { message: error.message, check: error.check, recordIndex: error.recordIndex, offset: error.offset };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

function printRecord(view: RecordView, full: boolean): void {
  console.log(`  record ${view.index}  offset ${view.offset}  length ${view.length}`);
  if (view.notExample !== undefined) {
    console.log(`    not a tf.train.Example: ${view.notExample.error}. Data sha256 ${view.notExample.sha256}`);
    return;
  }

  const features = Object.entries(view.features ?? {});
  const keyWidth = Math.max(0, ...features.map(([key]) => key.length));
  for (const [key, feature] of features) {
    const shown = full ? feature.values : feature.values.slice(0, MAX_LIST_VALUES);
    let values = shown.map(formatValue).join(', ');
    if (shown.length < feature.values.length) {
      values += `, … ${feature.values.length - shown.length} more`;
    }
    console.log(`    ${key.padEnd(keyWidth)}  ${feature.kind}[${feature.count}]  ${values}`);
  }
}

function formatValue(value: number | string | BytesView): string {
  if (typeof value !== 'object') return String(value);
  if ('text' in value) return JSON.stringify(value.text);
  const digest = `${value.length} bytes, sha256 ${value.sha256}`;
  return value.base64 === undefined ? digest : `${digest}, base64 ${value.base64}`;
}

function printFileSummary(view: FileView): void {
  const compression = view.compression === undefined ? '' : `, compression ${view.compression}`;
  const offsets = view.compression !== undefined && view.compression !== 'none' ? '; offsets are in the uncompressed stream' : '';
  if (view.error === undefined) {
    console.log(`  ${view.recordCount} records${compression}${offsets}`);
    return;
  }

  console.log(`  ${view.recordCount} records read before the error${compression}${offsets}`);
  printError(view.error);
}

function printError(error: NonNullable<FileView['error']>): void {
  const check = error.check === undefined ? '' : `. Failed check: ${error.check}`;
  console.error(`inception: tfrecord inspect: ${error.message}${check}`);
}
