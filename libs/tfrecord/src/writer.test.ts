import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import zlib from 'node:zlib';

import { makeTempDir } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { guessCompression } from './compression.js';
import { encodeRecord } from './framing.js';
import { readTFRecordFile, readTFRecords } from './reader.js';
import { collect } from './test-support/expected-fixture.js';
import { TFRecordWriter, writeTFRecordFile } from './writer.js';

const COMPRESSIONS = ['none', 'gzip', 'zlib'] as const;

function randomRecords(count: number): Uint8Array[] {
  const sizes = [0, 1, 31, 0x78, 4096, 70_000];
  return Array.from({ length: count }, (_, i) => new Uint8Array(randomBytes(sizes[i % sizes.length] + (i % 13))));
}

let tempDir: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  tempDir = await makeTempDir('tfrecord-writer-');
});
afterAll(async () => {
  await tempDir.remove();
});

describe.each(COMPRESSIONS)('writeTFRecordFile with %s', (compression) => {
  const records = randomRecords(40);

  it('reads back bit-identical records with auto detection', async () => {
    const filePath = path.join(tempDir.dir, `round-trip.${compression}`);
    await writeTFRecordFile(filePath, records, { compression });

    const readBack = await collect(readTFRecordFile(filePath, { compression: 'auto' }));

    expect(readBack.length).toBe(records.length);
    readBack.forEach((record, i) => {
      expect(Buffer.compare(record.data, records[i]), `record ${i}`).toBe(0);
    });
  });

  it('returns locations that match the offsets read back', async () => {
    const filePath = path.join(tempDir.dir, `locations.${compression}`);
    const summary = await writeTFRecordFile(filePath, records, { compression });

    const readBack = await collect(readTFRecordFile(filePath));

    expect(summary.locations.map((location) => location.offset)).toEqual(readBack.map((record) => record.offset));
    expect(summary.locations.map((location) => location.sizeBytes)).toEqual(records.map((data) => data.length + 16));
  });

  it('reports totals of the uncompressed and written streams', async () => {
    const filePath = path.join(tempDir.dir, `totals.${compression}`);
    const summary = await writeTFRecordFile(filePath, records, { compression });
    const fileBytes = await readFile(filePath);

    expect(summary.records).toBe(records.length);
    expect(summary.bytes).toBe(records.reduce((total, data) => total + data.length + 16, 0));
    expect(summary.outputBytes).toBe(fileBytes.length);
  });

  it('compresses the framed stream as one deflate stream', async () => {
    const filePath = path.join(tempDir.dir, `framing.${compression}`);
    await writeTFRecordFile(filePath, records, { compression });
    const fileBytes = await readFile(filePath);
    const inflate = { none: (bytes: Buffer) => bytes, gzip: zlib.gunzipSync, zlib: zlib.inflateSync }[compression];

    expect(guessCompression(fileBytes)).toBe(compression);
    expect(Buffer.compare(inflate(fileBytes), Buffer.concat(records.map(encodeRecord)))).toBe(0);
  });
});

describe('TFRecordWriter', () => {
  it('waits for drain when the sink is full', async () => {
    const pendingCallbacks: (() => void)[] = [];
    const sink = new Writable({
      highWaterMark: 1024,
      write(_chunk, _encoding, callback) {
        pendingCallbacks.push(() => callback());
      },
    });
    const writer = new TFRecordWriter(sink);

    let resolved = false;
    const written = writer.write(new Uint8Array(4096)).then(() => {
      resolved = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(false);

    while (pendingCallbacks.length > 0) {
      pendingCallbacks.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await written;
    expect(resolved).toBe(true);
  });

  it('keeps a GZIP sink within its buffer while the consumer is slow', async () => {
    const sink = new PassThrough({ highWaterMark: 16 * 1024 });
    const writer = new TFRecordWriter(sink, { compression: 'gzip' });
    let maxBufferedBytes = 0;
    const received: Buffer[] = [];
    const consuming = (async () => {
      for await (const chunk of sink) {
        received.push(chunk as Buffer);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();

    const records = Array.from({ length: 64 }, () => new Uint8Array(randomBytes(32 * 1024)));
    for (const data of records) {
      await writer.write(data);
      maxBufferedBytes = Math.max(maxBufferedBytes, sink.writableLength + sink.readableLength);
    }
    await writer.close();
    await consuming;

    expect(maxBufferedBytes).toBeLessThan(256 * 1024);
    const readBack = await collect(readTFRecords(received, { fileName: 'slow.gz' }));
    expect(readBack.length).toBe(records.length);
  });

  it('rejects writes after close', async () => {
    const writer = new TFRecordWriter(new PassThrough().resume());
    await writer.close();
    await expect(writer.write(new Uint8Array(1))).rejects.toThrow('called after close()');
  });

  it('rejects close when the sink fails', async () => {
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('disk full'));
      },
    });
    const writer = new TFRecordWriter(sink);
    await writer.write(new Uint8Array(8)).catch(() => undefined);
    await expect(writer.close()).rejects.toThrow('disk full');
  });

  it.each(['gzip', 'zlib'] as const)('rejects writes after a %s sink fails', async (compression) => {
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('upload failed'));
      },
    });
    const writer = new TFRecordWriter(sink, { compression });
    await writer.close().catch(() => undefined);
    await expect(writer.write(new Uint8Array(8))).rejects.toThrow();
  });

  it('rethrows the error of a failing record source', async () => {
    const filePath = path.join(tempDir.dir, 'failing-source');
    async function* failingRecords(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(10);
      throw new Error('image not found');
    }
    await expect(writeTFRecordFile(filePath, failingRecords())).rejects.toThrow('image not found');
  });

  it('writes nothing for an empty shard', async () => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    const summary = await new TFRecordWriter(sink).close();
    expect(summary).toEqual({ records: 0, bytes: 0, outputBytes: 0 });
    expect(chunks.length).toBe(0);
  });
});

describe('TFRecordWriter with parts', () => {
  const records = randomRecords(12);
  const split = (data: Uint8Array): Uint8Array[] => [data.subarray(0, 5), new Uint8Array(0), data.subarray(5, 40), data.subarray(40)];

  it('writes the same bytes as whole records', async () => {
    const wholePath = path.join(tempDir.dir, 'whole');
    const partsPath = path.join(tempDir.dir, 'parts');
    await writeTFRecordFile(wholePath, records);
    const summary = await writeTFRecordFile(partsPath, records.map(split));

    expect(Buffer.compare(await readFile(partsPath), await readFile(wholePath))).toBe(0);
    expect(summary.locations.map((location) => location.sizeBytes)).toEqual(records.map((data) => data.length + 16));
  });

  it('rejects a part that is not bytes', async () => {
    const writer = new TFRecordWriter(new PassThrough());
    await expect(writer.write([new Uint8Array(1), 'text' as unknown as Uint8Array])).rejects.toThrow(
      'TFRecordWriter.write: part 1 of the data is a string, expected a Uint8Array',
    );
  });
});
