import { optionalText, positiveInt, type EnvTable } from '@inception/config';

/** Ingestion's own variables, beside the common ones (GRPC_PORT, S3_*, …). */
export const ingestionEnv = {
  INGESTION_MAX_IMAGE_PIXELS: { schema: positiveInt(100_000_000), description: 'Largest image accepted, in pixels (width × height); larger ones are skipped as decompression bombs.' },
  INGESTION_MAX_FILE_BYTES: { schema: positiveInt(256 * 1024 * 1024), description: 'Largest source file read, in bytes; larger files are skipped before they are read into memory.' },
  INGESTION_CONCURRENCY: { schema: positiveInt(4), description: 'Images read and decoded at once per import.' },
  INGESTION_UPLOAD_CONCURRENCY: { schema: positiveInt(2), description: 'Image packs (about 8 MiB each) uploading to the object store at once per import, beside the decoding.' },
  INGESTION_UNLISTED_PACK_AGE_HOURS: { schema: positiveInt(24), description: 'Age after which an image pack that no dataset version lists counts as left by a killed import; the next import of that dataset deletes it.' },
  INGESTION_MAX_ARCHIVE_ENTRIES: { schema: positiveInt(2_000_000), description: 'Maximum number of entries (files, folders and links) in one archive; ImageNet\'s 1.28 million training images fit.' },
  INGESTION_MAX_UNPACKED_BYTES: { schema: positiveInt(200 * 1024 ** 3), description: 'Maximum bytes one archive may unpack to, summed over its files (default 200 GiB).' },
  INGESTION_MAX_UPLOAD_BYTES: { schema: positiveInt(100 * 1024 ** 3), description: 'Largest archive accepted from UploadDataset or downloaded from an s3:// key, in bytes (default 100 GiB).' },
  INGESTION_WORK_DIR: { schema: optionalText(), description: 'Folder for spooled uploads and unpacked archives; unset uses the system temporary folder.' },
} satisfies EnvTable;

export const INGESTION_DEFAULT_GRPC_PORT = 50051;
export const INGESTION_DEFAULT_METRICS_PORT = 9461;
