import type { RecordLocation } from './writer.js';

// Index layout of NVIDIA DALI's `tfrecord2idx`: one line per record, `<offset> <size>`, both
// decimal, where size covers the whole framed record (16 bytes of framing plus the data).

/** Formats record locations as a DALI TFRecord index, one `<offset> <size>` line per record. */
export function formatRecordIndex(locations: readonly RecordLocation[]): string {
  return locations.map((location) => `${location.offset} ${location.sizeBytes}\n`).join('');
}

/**
 * Parses a DALI TFRecord index. Blank lines are ignored. Throws on a line that is not two
 * non-negative decimal integers separated by white space, naming the line.
 */
export function parseRecordIndex(text: string): RecordLocation[] {
  const locations: RecordLocation[] = [];
  const lines = text.split('\n');

  lines.forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (line === '') {
      return;
    }
    const match = /^(\d+)\s+(\d+)$/.exec(line);
    const offset = Number(match?.[1]);
    const sizeBytes = Number(match?.[2]);
    if (match === null || !Number.isSafeInteger(offset) || !Number.isSafeInteger(sizeBytes)) {
      throw new Error(`record index line ${i + 1}: expected "<offset> <size>", got ${JSON.stringify(rawLine)}`);
    }
    locations.push({ offset, sizeBytes });
  });
  return locations;
}

/**
 * Maps a shard's object key to the key of its index: the same folder, then `index/`, the shard
 * name and `.index`. `data/train-00000-of-00002` maps to `data/index/train-00000-of-00002.index`.
 * Keys use `/` as the separator on every platform.
 */
export function indexKeyFor(shardKey: string): string {
  const slash = shardKey.lastIndexOf('/');
  const folder = shardKey.slice(0, slash + 1);
  const shardName = shardKey.slice(slash + 1);
  if (shardName === '') {
    throw new Error(`indexKeyFor: shard key ${JSON.stringify(shardKey)} has no file name after the last "/"`);
  }
  return `${folder}index/${shardName}.index`;
}
