import { createHash } from 'node:crypto';
import { normalizeImage } from '@inception/imaging';
import { StorageError, type DatasetImage, type SkippedImage, type Split } from '@inception/storage';
import type { SourceFile } from '../sources/types.js';

/** Location of a stored image: the whole object `key`, or `sizeBytes` from `offsetBytes` inside it. */
export interface ImageLocation {
  key: string;
  offsetBytes?: number;
}

/** Stores normalised JPEGs, each once by SHA-256; see ImagePackWriter. */
export interface ImageSink {
  /** Stores an image, or finds it stored already; may return before the bytes are stored. */
  put(sha256: string, jpegBytes: Uint8Array): Promise<ImageLocation>;
  /** Waits until every image put so far is stored. */
  flush(): Promise<void>;
}

export interface ProcessFileOptions {
  maxImagePixels: number;
  /** Files larger than this are skipped unread, in bytes. */
  maxFileBytes: number;
}

export type FileOutcome =
  | { kind: 'image'; image: DatasetImage; converted: boolean; sourceBytes: number }
  | { kind: 'skipped'; skipped: SkippedImage; sourceBytes: number };

function skip(split: Split, file: SourceFile, reason: string, detail: string, sourceBytes = 0): FileOutcome {
  return { kind: 'skipped', skipped: { split, sourcePath: file.relativePath, reason, detail }, sourceBytes };
}

async function readSource(file: SourceFile): Promise<Uint8Array | Error> {
  try {
    return await file.read();
  } catch (error) {
    // An unreachable object store fails the whole import; a file that vanished or cannot be
    // opened is one skipped file.
    if (error instanceof StorageError && error.kind !== 'not-found') {
      throw error;
    }
    return error as Error;
  }
}

/**
 * Reads one source file, checks and normalises it (see normalizeImage: 3-channel JPEGs are kept
 * byte for byte, everything else usable becomes an RGB JPEG at quality 100) and stores the
 * result. Returns the manifest entry, or the skip entry with its reason: file-too-large,
 * read-failed, or the rejection reason of normalizeImage (empty, not-an-image, unsupported,
 * too-many-pixels, truncated, corrupt). The EXIF orientation of the source is recorded and
 * not applied, as TensorFlow's decoder does not apply it.
 */
export async function processFile(sink: ImageSink, split: Split, file: SourceFile, label: number, options: ProcessFileOptions): Promise<FileOutcome> {
  if (file.sizeBytes > options.maxFileBytes) {
    return skip(split, file, 'file-too-large', `${file.sizeBytes} bytes, more than the limit of ${options.maxFileBytes} (INGESTION_MAX_FILE_BYTES)`);
  }
  const bytes = await readSource(file);
  if (bytes instanceof Error) {
    return skip(split, file, 'read-failed', bytes.message);
  }

  const normalized = await normalizeImage(bytes, { maxPixels: options.maxImagePixels });
  if (!normalized.ok) {
    return skip(split, file, normalized.reason, normalized.detail, bytes.length);
  }

  const sha256 = createHash('sha256').update(normalized.jpegBytes).digest('hex');
  const location = await sink.put(sha256, normalized.jpegBytes);
  const converted = normalized.conversion !== 'none';
  const image: DatasetImage = {
    className: file.className,
    label,
    sourcePath: file.relativePath,
    key: location.key,
    sha256,
    sizeBytes: normalized.jpegBytes.length,
    width: normalized.width,
    height: normalized.height,
    originalFormat: normalized.originalFormat,
    conversion: normalized.conversionReason ?? 'none',
  };
  if (location.offsetBytes !== undefined) {
    image.offsetBytes = location.offsetBytes;
  }
  if (normalized.exifOrientation !== undefined) {
    image.exifOrientation = normalized.exifOrientation;
  }
  return { kind: 'image', image, converted, sourceBytes: bytes.length };
}
