import { Readable } from 'node:stream';
import zlib from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { guessCompression } from './compression.js';
import { TFRecordDataLossError } from './errors.js';
import { encodeRecord } from './framing.js';
import { readTFRecordFile, readTFRecords } from './reader.js';
import { chunked, collect } from './test-support/expected-fixture.js';

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** A record of `sizeBytes` bytes whose data is a counting pattern. */
function patternData(sizeBytes: number): Uint8Array {
  return Uint8Array.from({ length: sizeBytes }, (_, i) => (i * 7 + 3) & 0xff);
}

const plainShards = [
  { name: 'length 31, first byte 0x1f', sizeBytes: 0x1f, guess: 'none' },
  { name: 'length 120, first byte 0x78', sizeBytes: 0x78, guess: 'none' },
  { name: 'first bytes 1f 8b', sizeBytes: 0x8b1f, guess: 'gzip' },
  { name: 'first bytes 1f 8b 08 00', sizeBytes: 0x088b1f, guess: 'gzip' },
  { name: 'first bytes 78 9c', sizeBytes: 0x9c78, guess: 'zlib' },
  { name: 'first bytes 78 01', sizeBytes: 0x0178, guess: 'zlib' },
] as const;

describe('readTFRecords auto compression', () => {
  it.each(plainShards)('guesses $guess from a plain shard with $name', ({ sizeBytes, guess }) => {
    const shard = Buffer.concat([encodeRecord(patternData(sizeBytes)), encodeRecord(patternData(5))]);
    expect(guessCompression(shard)).toBe(guess);
  });

  it.each(plainShards)('reads a plain shard with $name as plain', async ({ sizeBytes }) => {
    const shard = Buffer.concat([encodeRecord(patternData(sizeBytes)), encodeRecord(patternData(5))]);

    const records = await collect(readTFRecords(once(shard), { fileName: 'plain', compression: 'auto' }));

    expect(records.map((record) => record.data.length)).toEqual([sizeBytes, 5]);
    expect(Buffer.compare(records[0].data, patternData(sizeBytes))).toBe(0);
  });

  it.each(['gzip', 'zlib'] as const)('detects %s from one-byte chunks', async (compression) => {
    const plain = Buffer.concat([encodeRecord(patternData(300)), encodeRecord(patternData(0))]);
    const compressed = compression === 'gzip' ? zlib.gzipSync(plain) : zlib.deflateSync(plain);

    const records = await collect(readTFRecords(chunked(compressed, 1), { fileName: compression }));

    expect(records.map((record) => record.data.length)).toEqual([300, 0]);
  });

  it.each(['gzip', 'zlib'] as const)('reads an empty %s stream as no records', async (compression) => {
    const compressed = compression === 'gzip' ? zlib.gzipSync(Buffer.alloc(0)) : zlib.deflateSync(Buffer.alloc(0));
    const records = await collect(readTFRecords(once(compressed), { fileName: 'empty' }));
    expect(records).toEqual([]);
  });

  it('reads an empty plain stream as no records', async () => {
    const records = await collect(readTFRecords(once(new Uint8Array(0)), { fileName: 'empty' }));
    expect(records).toEqual([]);
  });

  it('reports damage inside a GZIP stream whose first header is bad', async () => {
    const plain = encodeRecord(patternData(40));
    plain[3] ^= 0x10;
    const error = await collect(readTFRecords(once(zlib.gzipSync(plain)), { fileName: 'bad.gz' })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TFRecordDataLossError);
    expect((error as TFRecordDataLossError).check).toBe('length-crc');
  });
});

describe('readTFRecords streaming', () => {
  it('yields records ahead of a bad GZIP trailer', async () => {
    const plain = Buffer.concat(Array.from({ length: 10 }, () => encodeRecord(patternData(10_000))));
    const compressed = zlib.gzipSync(plain);
    compressed[compressed.length - 6] ^= 0xff;
    const reader = readTFRecords(once(compressed), { fileName: 'bad.gz', skipCorrupt: true });

    const records = await collect(reader);

    expect(records.length).toBeGreaterThanOrEqual(8);
    expect(reader.summary.lastError?.check).toBe('decompression');
  });

  it.each(['none', 'gzip'] as const)('destroys a %s source stream on early exit', async (compression) => {
    const plain = Buffer.concat(Array.from({ length: 50 }, () => encodeRecord(patternData(4096))));
    const bytes = compression === 'gzip' ? zlib.gzipSync(plain) : plain;
    const source = Readable.from(chunked(bytes, 1024));

    for await (const record of readTFRecords(source, { fileName: 'early' })) {
      expect(record.index).toBe(0);
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));

    expect(source.destroyed).toBe(true);
  });

  it('rejects a second iteration', async () => {
    const reader = readTFRecords(once(encodeRecord(patternData(1))), { fileName: 'twice' });
    await collect(reader);
    expect(() => reader[Symbol.asyncIterator]()).toThrow(/only once/);
  });

  it('rejects string chunks', async () => {
    const source = Readable.from(['text chunk'], { objectMode: true });
    await expect(collect(readTFRecords(source, { fileName: 'text', compression: 'none' }))).rejects.toThrow(/setEncoding/);
  });

  it('rejects a buffer passed as the source', async () => {
    const source = encodeRecord(patternData(1)) as unknown as Iterable<Uint8Array>;
    await expect(collect(readTFRecords(source, { fileName: 'buffer' }))).rejects.toThrow(/number chunk/);
  });

  it('reads an array of chunks', async () => {
    const record = encodeRecord(patternData(9));
    const records = await collect(readTFRecords([record.subarray(0, 5), record.subarray(5)], { fileName: 'array' }));
    expect(records.map((r) => r.data.length)).toEqual([9]);
  });

  it('rejects a missing file', async () => {
    await expect(collect(readTFRecordFile('/nonexistent/train-00000-of-00001'))).rejects.toThrow(/ENOENT/);
  });

  it('counts records in the summary', async () => {
    const reader = readTFRecords(once(Buffer.concat([encodeRecord(patternData(3)), encodeRecord(patternData(4))])), {
      fileName: 'two',
    });
    await collect(reader);
    expect(reader.summary).toEqual({ records: 2, skippedRecords: 0, endedEarly: false, compression: 'none' });
  });
});
