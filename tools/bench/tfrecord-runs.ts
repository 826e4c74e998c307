import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';

import { RECORD_OVERHEAD_BYTES, buildImageExample, encodeExampleParts, readTFRecordFile, writeTFRecordFile } from '@inception/tfrecord';
import { FeatureType, TFRecordsBuilder } from '@roboflow/tfrecords';

/** Fields of one benchmark record: the keys `build_image_data.py` writes, with random JPEG-sized bytes. */
export interface BenchRecord {
  encoded: Uint8Array;
  height: number;
  width: number;
  label: number;
  text: string;
  filename: string;
}

/** Bytes moved by one run and how long it took. */
export interface RunResult {
  bytes: number;
  seconds: number;
}

/** Distinct payloads the records cycle through. They are random bytes, so their content favours no code path. */
const PAYLOAD_POOL_SIZE = 16;
const CLASS_NAMES = ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips'];

/**
 * Builds enough records for about `totalBytes` of framed shard, each carrying `payloadBytes` of
 * random `image/encoded` data, a Flowers-like size of 500×375 and one of five classes.
 */
export function makeBenchRecords(totalBytes: number, payloadBytes: number): BenchRecord[] {
  const pool = Array.from({ length: PAYLOAD_POOL_SIZE }, () => new Uint8Array(randomBytes(payloadBytes)));
  const count = Math.max(1, Math.round(totalBytes / payloadBytes));
  return Array.from({ length: count }, (_, i) => ({
    encoded: pool[i % PAYLOAD_POOL_SIZE],
    height: 375,
    width: 500,
    label: 1 + (i % CLASS_NAMES.length),
    text: CLASS_NAMES[i % CLASS_NAMES.length],
    filename: `image_${String(i).padStart(6, '0')}.jpg`,
  }));
}

async function timed(run: () => Promise<number>): Promise<RunResult> {
  const startMs = performance.now();
  const bytes = await run();
  return { bytes, seconds: (performance.now() - startMs) / 1000 };
}

/** Encodes every record as an Example and writes them with this project's `writeTFRecordFile`. */
export function writeWithOurWriter(filePath: string, records: readonly BenchRecord[]): Promise<RunResult> {
  return timed(async () => (await writeTFRecordFile(filePath, encodeAll(records))).bytes);
}

// Encodes lazily, one record ahead of the writer, as a converter reading images would. The image
// bytes are referenced by the parts, not copied.
function* encodeAll(records: readonly BenchRecord[]): Generator<Uint8Array[]> {
  for (const record of records) {
    yield encodeExampleParts(buildImageExample(record));
  }
}

/**
 * Encodes and writes the same records with `@roboflow/tfrecords` 1.0.4: its builder per record,
 * then its framing transform piped into a file, awaiting backpressure as our writer does.
 */
export function writeWithRoboflow(filePath: string, records: readonly BenchRecord[]): Promise<RunResult> {
  return timed(async () => {
    const framing = TFRecordsBuilder.transformStream();
    const file = createWriteStream(filePath);
    const done = pipeline(framing, file);

    for (const record of records) {
      const builder = new TFRecordsBuilder();
      builder.addFeature('image/height', FeatureType.Int64, record.height);
      builder.addFeature('image/width', FeatureType.Int64, record.width);
      builder.addFeature('image/colorspace', FeatureType.String, 'RGB');
      builder.addFeature('image/channels', FeatureType.Int64, 3);
      builder.addFeature('image/class/label', FeatureType.Int64, record.label);
      builder.addFeature('image/class/text', FeatureType.String, record.text);
      builder.addFeature('image/format', FeatureType.String, 'JPEG');
      builder.addFeature('image/filename', FeatureType.String, record.filename);
      builder.addFeature('image/encoded', FeatureType.Binary, record.encoded);
      if (!framing.write(builder.build())) {
        await once(framing, 'drain');
      }
    }
    framing.end();
    await done;
    return file.bytesWritten;
  });
}

/** Baseline of the writer: streams an existing file into a new one with `pipeline`. */
export function copyWithPipe(sourcePath: string, targetPath: string): Promise<RunResult> {
  return timed(async () => {
    const target = createWriteStream(targetPath);
    await pipeline(createReadStream(sourcePath), target);
    return target.bytesWritten;
  });
}

/** Reads every record of a shard, and with it checks both CRCs of each record. */
export function readWithOurReader(filePath: string): Promise<RunResult> {
  return timed(async () => {
    let bytes = 0;
    for await (const record of readTFRecordFile(filePath, { compression: 'none' })) {
      bytes += RECORD_OVERHEAD_BYTES + record.data.length;
    }
    return bytes;
  });
}

/** Baseline of the reader: consumes a file through a default `fs.createReadStream`. */
export function readWithPlainStream(filePath: string): Promise<RunResult> {
  return timed(async () => {
    let bytes = 0;
    for await (const chunk of createReadStream(filePath)) {
      bytes += (chunk as Buffer).length;
    }
    return bytes;
  });
}
