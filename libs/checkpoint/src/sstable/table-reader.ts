import { uncompressSync } from 'snappy';

import { crc32cOf, formatCrc, maskCrc32c } from '@inception/tfrecord';

import type { ByteSource } from '../byte-source.js';
import { CheckpointError } from '../errors.js';
import { decodeBlock, type TableEntry } from './block.js';
import { compareBytes, readUint32LE } from './coding.js';
import {
  BLOCK_TRAILER_SIZE_BYTES,
  decodeBlockHandle,
  FOOTER_SIZE_BYTES,
  hasTableMagic,
  NO_COMPRESSION,
  SNAPPY_COMPRESSION,
  type BlockHandle,
} from './format.js';

/** A data block as the index lists it: its handle and a key at least as large as its last key. */
interface IndexedBlock {
  separatorKey: Uint8Array;
  handle: BlockHandle;
}

/**
 * Reads a LevelDB-format table (an SSTable) through ranged reads: the footer and index at open,
 * then only the data blocks that a lookup needs. Every block's masked CRC32C is checked, and
 * Snappy-compressed blocks are decompressed.
 */
export class SSTableReader {
  /** The most recently decoded data block, because consecutive lookups often hit the same one. */
  private cachedBlock: { offsetBytes: number; entries: TableEntry[] } | undefined;

  private constructor(
    readonly source: ByteSource,
    private readonly index: readonly IndexedBlock[],
  ) {}

  /** Reads and checks the footer and the index block. */
  static async open(source: ByteSource): Promise<SSTableReader> {
    if (source.sizeBytes < FOOTER_SIZE_BYTES) {
      throw new CheckpointError({ fileName: source.name, check: 'truncated', detail: `${source.sizeBytes} bytes is shorter than the ${FOOTER_SIZE_BYTES}-byte table footer` });
    }
    const footer = await source.read(source.sizeBytes - FOOTER_SIZE_BYTES, FOOTER_SIZE_BYTES);
    if (!hasTableMagic(footer)) {
      throw new CheckpointError({ fileName: source.name, check: 'corrupt', detail: 'the table magic number 0xdb4775248b80fb57 is missing from the last 8 bytes; this is not an SSTable' });
    }
    const metaindex = decodeBlockHandle(footer, 0);
    const indexHandle = metaindex && decodeBlockHandle(footer, metaindex.nextOffset);
    if (!indexHandle) {
      throw new CheckpointError({ fileName: source.name, check: 'corrupt', detail: 'the footer block handles do not decode' });
    }

    const indexEntries = decodeBlock(await readBlockContents(source, indexHandle.value), { fileName: source.name, offsetBytes: indexHandle.value.offsetBytes });
    const index = indexEntries.map(({ key, value }) => {
      const handle = decodeBlockHandle(value, 0);
      if (!handle) {
        throw new CheckpointError({ fileName: source.name, check: 'corrupt', detail: 'an index entry does not contain a block handle' });
      }
      return { separatorKey: key, handle: handle.value };
    });
    return new SSTableReader(source, index);
  }

  /** Number of data blocks in the table. */
  get dataBlockCount(): number {
    return this.index.length;
  }

  /** Returns the value stored under `key`, or undefined when the table has no such key. */
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    let low = 0;
    let high = this.index.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareBytes(this.index[middle].separatorKey, key) < 0) low = middle + 1;
      else high = middle;
    }
    if (low === this.index.length) return undefined;

    const entries = await this.readDataBlock(this.index[low].handle);
    let first = 0;
    let last = entries.length;
    while (first < last) {
      const middle = (first + last) >>> 1;
      if (compareBytes(entries[middle].key, key) < 0) first = middle + 1;
      else last = middle;
    }
    const found = entries[first];
    return found !== undefined && compareBytes(found.key, key) === 0 ? found.value : undefined;
  }

  /** Yields every entry in key order, one data block in memory at a time. */
  async *entries(): AsyncGenerator<TableEntry> {
    for (const { handle } of this.index) {
      yield* await this.readDataBlock(handle);
    }
  }

  private async readDataBlock(handle: BlockHandle): Promise<TableEntry[]> {
    if (this.cachedBlock?.offsetBytes === handle.offsetBytes) return this.cachedBlock.entries;
    const contents = await readBlockContents(this.source, handle);
    const entries = decodeBlock(contents, { fileName: this.source.name, offsetBytes: handle.offsetBytes });
    this.cachedBlock = { offsetBytes: handle.offsetBytes, entries };
    return entries;
  }
}

/** Reads a block and its trailer, checks the CRC and returns the (decompressed) contents. */
async function readBlockContents(source: ByteSource, handle: BlockHandle): Promise<Uint8Array> {
  const raw = await source.read(handle.offsetBytes, handle.sizeBytes + BLOCK_TRAILER_SIZE_BYTES);
  const where = `block at offset ${handle.offsetBytes} (${handle.sizeBytes} bytes)`;

  // The CRC covers the stored contents and the compression-type byte.
  const storedCrc = readUint32LE(raw, handle.sizeBytes + 1);
  const computedCrc = maskCrc32c(crc32cOf(raw.subarray(0, handle.sizeBytes + 1)));
  if (storedCrc !== computedCrc) {
    throw new CheckpointError({ fileName: source.name, check: 'block-crc', detail: `${where}: masked CRC32C mismatch (stored ${formatCrc(storedCrc)}, computed ${formatCrc(computedCrc)})` });
  }

  const compression = raw[handle.sizeBytes];
  const stored = raw.subarray(0, handle.sizeBytes);
  if (compression === NO_COMPRESSION) return stored;
  if (compression === SNAPPY_COMPRESSION) {
    try {
      return uncompressSync(stored, { asBuffer: true }) as Buffer;
    } catch (error) {
      throw new CheckpointError({ fileName: source.name, check: 'decompression', detail: `${where}: invalid Snappy data`, cause: error });
    }
  }
  throw new CheckpointError({ fileName: source.name, check: 'unsupported', detail: `${where}: compression type ${compression} is neither 0 (none) nor 1 (Snappy)` });
}
