export { CRC32C_MASK_DELTA, crc32cOf, crc32cOfParts, formatCrc, maskCrc32c, maskedCrc32c, unmaskCrc32c } from './crc.js';
export {
  FOOTER_SIZE_BYTES,
  HEADER_SIZE_BYTES,
  RECORD_OVERHEAD_BYTES,
  decodeRecordHeader,
  encodeRecord,
  encodeRecordFooter,
  encodeRecordHeader,
  type RecordHeader,
} from './framing.js';
export { TFRecordDataLossError, type TFRecordCheck, type TFRecordDataLossDetails } from './errors.js';
export { guessCompression, type TFRecordCompression, type TFRecordReadCompression } from './compression.js';
export type { TFRecordSource } from './source.js';
export type { TFRecord } from './frame-reader.js';
export type { TFRecordReadSummary } from './record-parser.js';
export { TFRecordReader, readTFRecordFile, readTFRecords, type ReadTFRecordsOptions } from './reader.js';
export {
  TFRecordWriter,
  writeTFRecordFile,
  type RecordLocation,
  type TFRecordFileSummary,
  type TFRecordWriteSummary,
  type TFRecordWriterOptions,
} from './writer.js';
export { bytesFeature, floatFeature, int64Feature, type FeatureMap, type FeatureValue } from './feature.js';
export {
  decodeExample,
  decodeSequenceExample,
  DEFAULT_MIN_REFERENCED_BYTES,
  encodeExample,
  encodeExampleParts,
  encodeSequenceExample,
  type SequenceExampleValue,
} from './example.js';
export {
  IMAGE_CHANNELS,
  IMAGE_COLORSPACE,
  IMAGE_FORMAT,
  buildImageExample,
  encodeImageExample,
  parseImageExample,
  type BoundingBox,
  type ImageExample,
  type ImageExampleInput,
} from './image-example.js';
export { numpyLinspace, planShards, shardFileName, type ShardRange } from './shard-plan.js';
export { PythonRandom, pythonShuffle } from './python-random.js';
export { formatRecordIndex, indexKeyFor, parseRecordIndex } from './record-index.js';
