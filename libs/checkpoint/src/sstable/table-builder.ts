import { compressSync } from 'snappy';

import { maskCrc32c } from '@inception/tfrecord';

import { extendCrc32c } from '../crc.js';
import { BlockBuilder } from './block.js';
import { compareBytes, concatBytes, copyBytes, writeUint32LE, writeUint64LE } from './coding.js';
import {
  BLOCK_TRAILER_SIZE_BYTES,
  encodeBlockHandle,
  FOOTER_HANDLES_SIZE_BYTES,
  FOOTER_SIZE_BYTES,
  NO_COMPRESSION,
  SNAPPY_COMPRESSION,
  TABLE_MAGIC_NUMBER,
  type BlockHandle,
} from './format.js';

export interface SSTableBuilderOptions {
  /**
   * Block compression. Default `none`. With `snappy` every block is stored compressed, even when
   * compression saves nothing; LevelDB and TensorFlow keep a block raw unless Snappy saves at
   * least 1/8 of it, so this writer reaches the Snappy path of readers with any data.
   */
  compression?: 'none' | 'snappy';
  /** Uncompressed size at which a data block is closed, in bytes. Default 262144, TensorFlow's table default. */
  blockSizeBytes?: number;
  /** Entries between restart points in data blocks. Default 16, as in LevelDB. */
  restartInterval?: number;
}

/**
 * Builds a LevelDB-format table in memory, laid out as LevelDB and TensorFlow lay it out: keys
 * added in strictly increasing bytewise order, an empty metaindex block, and index keys shortened
 * the way LevelDB's bytewise comparator shortens them. With `compression: 'none'` the bytes match
 * TensorFlow's for the same entries and block size.
 */
export class SSTableBuilder {
  private readonly parts: Uint8Array[] = [];
  private sizeBytes = 0;
  private readonly compression: 'none' | 'snappy';
  private readonly blockSizeBytes: number;
  private readonly restartInterval: number;
  private dataBlock: BlockBuilder;
  private readonly indexBlock = new BlockBuilder(1);
  private lastKey: Uint8Array | undefined;
  /** A flushed block whose index entry waits for the next key, which bounds its separator. */
  private pendingIndexHandle: BlockHandle | undefined;

  constructor(options: SSTableBuilderOptions = {}) {
    this.compression = options.compression ?? 'none';
    this.blockSizeBytes = options.blockSizeBytes ?? 262_144;
    this.restartInterval = options.restartInterval ?? 16;
    this.dataBlock = new BlockBuilder(this.restartInterval);
  }

  add(key: Uint8Array, value: Uint8Array): void {
    if (this.lastKey !== undefined && compareBytes(key, this.lastKey) <= 0) {
      throw new Error(`SSTableBuilder.add: key ${Buffer.from(key).toString('hex')} does not follow ${Buffer.from(this.lastKey).toString('hex')}; keys must increase`);
    }
    if (this.pendingIndexHandle !== undefined && this.lastKey !== undefined) {
      this.addIndexEntry(shortestSeparator(this.lastKey, key), this.pendingIndexHandle);
    }
    this.dataBlock.add(key, value);
    this.lastKey = key;
    if (this.dataBlock.estimatedSizeBytes >= this.blockSizeBytes) this.flushDataBlock();
  }

  /** Writes the last data block, the metaindex, the index and the footer, and returns the table. */
  finish(): Uint8Array {
    this.flushDataBlock();
    if (this.pendingIndexHandle !== undefined && this.lastKey !== undefined) {
      this.addIndexEntry(shortSuccessor(this.lastKey), this.pendingIndexHandle);
    }
    const metaindexHandle = this.writeBlock(new BlockBuilder(this.restartInterval).finish());
    const indexHandle = this.writeBlock(this.indexBlock.finish());

    const footer = new Uint8Array(FOOTER_SIZE_BYTES);
    footer.set([...encodeBlockHandle(metaindexHandle), ...encodeBlockHandle(indexHandle)]);
    writeUint64LE(footer, FOOTER_HANDLES_SIZE_BYTES, TABLE_MAGIC_NUMBER);
    this.parts.push(footer);
    return concatBytes(this.parts);
  }

  private flushDataBlock(): void {
    if (this.dataBlock.isEmpty || this.lastKey === undefined) return;
    this.pendingIndexHandle = this.writeBlock(this.dataBlock.finish());
    this.dataBlock = new BlockBuilder(this.restartInterval);
  }

  private addIndexEntry(separatorKey: Uint8Array, handle: BlockHandle): void {
    this.indexBlock.add(separatorKey, Uint8Array.from(encodeBlockHandle(handle)));
    this.pendingIndexHandle = undefined;
  }

  private writeBlock(contents: Uint8Array): BlockHandle {
    const snappy = this.compression === 'snappy';
    const stored = snappy ? new Uint8Array(compressSync(contents)) : contents;

    const trailer = new Uint8Array(BLOCK_TRAILER_SIZE_BYTES);
    trailer[0] = snappy ? SNAPPY_COMPRESSION : NO_COMPRESSION;
    const crc = extendCrc32c(extendCrc32c(0, stored), trailer.subarray(0, 1));
    writeUint32LE(trailer, 1, maskCrc32c(crc));

    const handle = { offsetBytes: this.sizeBytes, sizeBytes: stored.length };
    this.parts.push(stored, trailer);
    this.sizeBytes += stored.length + trailer.length;
    return handle;
  }
}

/**
 * Returns a short key k with start <= k < limit, as LevelDB's bytewise comparator does: at the
 * first differing byte, increment start's byte and cut there, unless that would reach limit's byte.
 */
function shortestSeparator(start: Uint8Array, limit: Uint8Array): Uint8Array {
  const sharedLimit = Math.min(start.length, limit.length);
  let diffIndex = 0;
  while (diffIndex < sharedLimit && start[diffIndex] === limit[diffIndex]) diffIndex++;
  if (diffIndex >= sharedLimit) return start;

  const diffByte = start[diffIndex];
  if (diffByte === 0xff || diffByte + 1 >= limit[diffIndex]) return start;
  const separator = copyBytes(start, 0, diffIndex + 1);
  separator[diffIndex]++;
  return separator;
}

/** Returns a short key k >= key: the key cut after its first byte below 0xff, that byte incremented. */
function shortSuccessor(key: Uint8Array): Uint8Array {
  const index = key.findIndex((byte) => byte !== 0xff);
  if (index < 0) return key;
  const successor = copyBytes(key, 0, index + 1);
  successor[index]++;
  return successor;
}
