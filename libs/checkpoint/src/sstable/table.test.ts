import { describe, expect, it } from 'vitest';

import { bytesSource } from '../byte-source.js';
import { CheckpointError } from '../errors.js';
import { FOOTER_SIZE_BYTES } from './format.js';
import { SSTableBuilder, type SSTableBuilderOptions } from './table-builder.js';
import { SSTableReader } from './table-reader.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** Keys with long shared prefixes, so prefix compression and restart points both matter. */
function sampleEntries(count: number): { key: string; value: string }[] {
  return Array.from({ length: count }, (_, i) => ({ key: `layer/${String(i).padStart(5, '0')}/weights`, value: `value-${i}-${'x'.repeat(i % 37)}` }));
}

function buildTable(entries: { key: string; value: string }[], options: SSTableBuilderOptions): Uint8Array {
  const builder = new SSTableBuilder(options);
  for (const { key, value } of entries) builder.add(utf8.encode(key), utf8.encode(value));
  return builder.finish();
}

async function collectEntries(reader: SSTableReader): Promise<{ key: string; value: string }[]> {
  const entries: { key: string; value: string }[] = [];
  for await (const { key, value } of reader.entries()) entries.push({ key: text.decode(key), value: text.decode(value) });
  return entries;
}

describe.each(['none', 'snappy'] as const)('SSTable with %s compression', (compression) => {
  const entries = sampleEntries(500);
  const table = buildTable(entries, { compression, blockSizeBytes: 1024 });

  it('splits entries over many blocks', async () => {
    const reader = await SSTableReader.open(bytesSource('table', table));

    expect(reader.dataBlockCount).toBeGreaterThan(10);
  });

  it('iterates every entry in order', async () => {
    const reader = await SSTableReader.open(bytesSource('table', table));

    expect(await collectEntries(reader)).toEqual(entries);
  });

  it('finds every key by lookup', async () => {
    const reader = await SSTableReader.open(bytesSource('table', table));

    for (const { key, value } of entries) {
      const found = await reader.get(utf8.encode(key));
      expect(text.decode(found ?? new Uint8Array(0)), key).toBe(value);
    }
  });

  it.each(['', 'a', 'layer/00003', 'layer/00003/weightz', 'zzz'])('misses absent key %j', async (key) => {
    const reader = await SSTableReader.open(bytesSource('table', table));

    expect(await reader.get(utf8.encode(key))).toBeUndefined();
  });
});

describe('SSTable damage', () => {
  const table = buildTable(sampleEntries(50), { blockSizeBytes: 256 });

  it('rejects a flipped data byte', async () => {
    const damaged = table.slice();
    damaged[10] ^= 0x20;
    const reader = await SSTableReader.open(bytesSource('damaged', damaged));

    await expect(collectEntries(reader)).rejects.toMatchObject({ check: 'block-crc', fileName: 'damaged' });
  });

  it('rejects a missing magic number', async () => {
    const damaged = table.slice();
    damaged[damaged.length - 1] ^= 0xff;

    await expect(SSTableReader.open(bytesSource('damaged', damaged))).rejects.toMatchObject({ check: 'corrupt' });
  });

  it('rejects a file shorter than the footer', async () => {
    await expect(SSTableReader.open(bytesSource('short', table.subarray(0, FOOTER_SIZE_BYTES - 1)))).rejects.toMatchObject({ check: 'truncated' });
  });

  it('rejects a truncated file', async () => {
    const truncated = table.slice(table.length - FOOTER_SIZE_BYTES - 40);

    const error = await SSTableReader.open(bytesSource('cut', truncated)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CheckpointError);
  });
});

describe('SSTableBuilder', () => {
  it('compresses blocks with Snappy', () => {
    const repetitive = Array.from({ length: 20 }, (_, i) => ({ key: `key-${String(i).padStart(3, '0')}`, value: 'x'.repeat(4000) }));

    const raw = buildTable(repetitive, { compression: 'none' });
    const compressed = buildTable(repetitive, { compression: 'snappy' });

    expect(compressed.length).toBeLessThan(raw.length / 10);
  });

  it('rejects keys out of order', () => {
    const builder = new SSTableBuilder();
    builder.add(utf8.encode('b'), utf8.encode('1'));

    expect(() => builder.add(utf8.encode('a'), utf8.encode('2'))).toThrow(/keys must increase/);
  });
});
