import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';

import { fixturePath, makeTempDir, readExpected } from '@inception/testing';
import { describe, expect, it } from 'vitest';

import { TFRecordDataLossError } from './errors.js';
import { encodeRecord, encodeRecordHeader } from './framing.js';
import { readTFRecordFile, readTFRecords } from './reader.js';
import { collect, type ExpectedDamagedFile } from './test-support/expected-fixture.js';

const DAMAGED = 'tf-models/corrupted/pets_examples.crlf-stripped.record';

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

async function readError(promise: Promise<unknown>): Promise<TFRecordDataLossError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TFRecordDataLossError);
  return error as TFRecordDataLossError;
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('damaged pets fixture', () => {
  const expected = readExpected<ExpectedDamagedFile>(DAMAGED);
  const expectedOffset = Number(/at (\d+)/.exec(expected.reference_decoder_error)?.[1]);

  it('throws a data CRC error at the recorded offset', async () => {
    const error = await readError(collect(readTFRecordFile(fixturePath(DAMAGED))));
    expect(error.check).toBe('data-crc');
    expect(error.offset).toBe(expectedOffset);
    expect(error.recordIndex).toBe(0);
    expect(error.fileName).toBe(fixturePath(DAMAGED));
  });

  it('names file, record, offset and CRCs in the message', async () => {
    const error = await readError(collect(readTFRecordFile(fixturePath(DAMAGED), { fileName: expected.file })));
    expect(error.message).toMatch(
      new RegExp(`^${expected.file} record 0 at offset ${expectedOffset}: data CRC mismatch \\(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\\)$`),
    );
  });

  it('reports both errors through onSkip with skipCorrupt', async () => {
    const bytes = await readFile(fixturePath(DAMAGED));
    const secondOffset = 16 + Number(bytes.readBigUInt64LE(0));
    const skipped: TFRecordDataLossError[] = [];
    const reader = readTFRecordFile(fixturePath(DAMAGED), { skipCorrupt: true, onSkip: (error) => skipped.push(error) });

    const records = await collect(reader);

    expect(records.length).toBe(0);
    expect(skipped.map((error) => [error.check, error.recordIndex, error.offset])).toEqual([
      ['data-crc', 0, expectedOffset],
      ['length-crc', 1, secondOffset],
    ]);
    expect(reader.summary.skippedRecords).toBe(2);
    expect(reader.summary.endedEarly).toBe(true);
    expect(reader.summary.lastError?.check).toBe('length-crc');
  });
});

describe('readTFRecords damage', () => {
  const good = [bytesOf('first'), bytesOf('second record'), bytesOf('third')];

  it('skips a record with a bad data CRC', async () => {
    const damaged = encodeRecord(good[1]);
    damaged[14] ^= 0xff;
    const skipped: TFRecordDataLossError[] = [];
    const reader = readTFRecords(once(concat(encodeRecord(good[0]), damaged, encodeRecord(good[2]))), {
      fileName: 'mixed',
      skipCorrupt: true,
      onSkip: (error) => skipped.push(error),
    });

    const records = await collect(reader);

    expect(records.map((record) => record.index)).toEqual([0, 2]);
    expect(records.map((record) => record.offset)).toEqual([0, 16 + 5 + 16 + 13]);
    expect(skipped.map((error) => error.check)).toEqual(['data-crc']);
    expect(reader.summary).toMatchObject({ records: 2, skippedRecords: 1, endedEarly: false });
  });

  it('throws on a bad length CRC', async () => {
    const damaged = encodeRecord(good[1]);
    damaged[2] ^= 0x40;
    const error = await readError(collect(readTFRecords(once(concat(encodeRecord(good[0]), damaged)), { fileName: 'x' })));
    expect(error.check).toBe('length-crc');
    expect(error.recordIndex).toBe(1);
    expect(error.offset).toBe(21);
    expect(error.message).toMatch(/^x record 1 at offset 21: length CRC mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/);
  });

  it('throws on a truncated header', async () => {
    const bytes = concat(encodeRecord(good[0]), encodeRecord(good[1]).subarray(0, 7));
    const error = await readError(collect(readTFRecords(once(bytes), { fileName: 'cut' })));
    expect(error.check).toBe('truncated');
    expect(error.recordIndex).toBe(1);
    expect(error.offset).toBe(21);
    expect(error.message).toContain('truncated header (12 bytes needed, 7 remain)');
  });

  it('throws on truncated data', async () => {
    const bytes = encodeRecord(good[1]).subarray(0, 12 + 4);
    const error = await readError(collect(readTFRecords(once(bytes), { fileName: 'cut' })));
    expect(error.check).toBe('truncated');
    expect(error.message).toContain('data length 13 needs 17 bytes after the header, 4 remain');
  });

  it('throws on a truncated footer', async () => {
    const record = encodeRecord(good[1]);
    const error = await readError(collect(readTFRecords(once(record.subarray(0, record.length - 1)), { fileName: 'cut' })));
    expect(error.check).toBe('truncated');
  });

  it('ends without throwing on truncation with skipCorrupt', async () => {
    const bytes = concat(encodeRecord(good[0]), encodeRecord(good[1]).subarray(0, 20));
    const skipped: TFRecordDataLossError[] = [];
    const reader = readTFRecords(once(bytes), { fileName: 'cut', skipCorrupt: true, onSkip: (e) => skipped.push(e) });

    const records = await collect(reader);

    expect(records.length).toBe(1);
    expect(skipped.map((error) => error.check)).toEqual(['truncated']);
    expect(reader.summary.endedEarly).toBe(true);
  });

  it('rejects a huge valid length without allocating it', async () => {
    const claimedBytes = 3 * 2 ** 30;
    const before = process.memoryUsage().arrayBuffers;
    const bytes = concat(encodeRecordHeader(claimedBytes), new Uint8Array(1000));

    const error = await readError(collect(readTFRecords(once(bytes), { fileName: 'huge' })));

    expect(error.check).toBe('truncated');
    expect(error.message).toContain(`data length ${claimedBytes} needs ${claimedBytes + 4} bytes after the header, 1000 remain`);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });

  it('rejects a length beyond the buffer limit as truncated', async () => {
    const bytes = concat(encodeRecordHeader(2 ** 50), new Uint8Array(64));
    const error = await readError(collect(readTFRecords(once(bytes), { fileName: 'huge' })));
    expect(error.check).toBe('truncated');
  });

  it('rejects a length past the end of a file before reading on', async () => {
    const { dir, remove } = await makeTempDir();
    try {
      const filePath = path.join(dir, 'short.tfrecord');
      await writeFile(filePath, concat(encodeRecordHeader(2 ** 30), new Uint8Array(10)));
      const error = await readError(collect(readTFRecordFile(filePath)));
      expect(error.check).toBe('truncated');
      expect(error.message).toContain('10 remain');
    } finally {
      await remove();
    }
  });

  it('reports a truncated GZIP stream as truncated', async () => {
    const compressed = zlib.gzipSync(concat(...good.map(encodeRecord)));
    const error = await readError(
      collect(readTFRecords(once(compressed.subarray(0, compressed.length - 6)), { fileName: 'cut.gz', compression: 'gzip' })),
    );
    expect(error.check).toBe('truncated');
  });

  it('reports a bad GZIP trailer as a decompression error', async () => {
    const compressed = zlib.gzipSync(concat(...good.map(encodeRecord)));
    compressed[compressed.length - 6] ^= 0xff;
    const error = await readError(collect(readTFRecords(once(compressed), { fileName: 'bad.gz' })));
    expect(error.check).toBe('decompression');
    expect(error.message).toMatch(/^bad\.gz record \d+ at offset \d+: invalid compressed stream: incorrect data check$/);
  });
});
