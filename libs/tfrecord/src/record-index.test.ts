import path from 'node:path';

import { makeTempDir } from '@inception/testing';
import { describe, expect, it } from 'vitest';

import { readTFRecordFile } from './reader.js';
import { formatRecordIndex, indexKeyFor, parseRecordIndex } from './record-index.js';
import { collect } from './test-support/expected-fixture.js';
import { writeTFRecordFile } from './writer.js';

describe('formatRecordIndex', () => {
  it('writes one offset and size line per record', () => {
    expect(
      formatRecordIndex([
        { offset: 0, sizeBytes: 19 },
        { offset: 19, sizeBytes: 16 },
      ]),
    ).toBe('0 19\n19 16\n');
  });

  it('writes an empty index for no records', () => {
    expect(formatRecordIndex([])).toBe('');
  });

  it('indexes a written file at its record offsets', async () => {
    const { dir, remove } = await makeTempDir();
    try {
      const filePath = path.join(dir, 'train-00000-of-00001');
      const data = [new Uint8Array(3), new Uint8Array(0), new Uint8Array(100)];
      const { locations } = await writeTFRecordFile(filePath, data);
      const records = await collect(readTFRecordFile(filePath));

      const parsed = parseRecordIndex(formatRecordIndex(locations));

      expect(parsed.map((location) => location.offset)).toEqual(records.map((record) => record.offset));
      expect(parsed.map((location) => location.sizeBytes)).toEqual(records.map((record) => record.data.length + 16));
    } finally {
      await remove();
    }
  });
});

describe('parseRecordIndex', () => {
  it('reads lines and ignores blank ones', () => {
    expect(parseRecordIndex('0 19\n\n19 16\n')).toEqual([
      { offset: 0, sizeBytes: 19 },
      { offset: 19, sizeBytes: 16 },
    ]);
  });

  it('accepts tabs and CRLF line ends', () => {
    expect(parseRecordIndex('0\t19\r\n19 16\r\n')).toEqual([
      { offset: 0, sizeBytes: 19 },
      { offset: 19, sizeBytes: 16 },
    ]);
  });

  it('names the line of an invalid entry', () => {
    expect(() => parseRecordIndex('0 19\n19 -16\n')).toThrow('record index line 2: expected "<offset> <size>", got "19 -16"');
  });
});

describe('indexKeyFor', () => {
  it('puts the index in an index folder beside the shard', () => {
    expect(indexKeyFor('datasets/flowers/v1/shards/train-00000-of-00002')).toBe(
      'datasets/flowers/v1/shards/index/train-00000-of-00002.index',
    );
  });

  it('maps a key without a folder', () => {
    expect(indexKeyFor('validation-00001-of-00002')).toBe('index/validation-00001-of-00002.index');
  });

  it('rejects a key that ends with a slash', () => {
    expect(() => indexKeyFor('shards/')).toThrow(/has no file name/);
  });
});
