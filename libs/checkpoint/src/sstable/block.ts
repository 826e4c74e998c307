import { CheckpointError } from '../errors.js';
import { decodeVarint, pushVarint, readUint32LE, writeUint32LE } from './coding.js';

/** One key/value pair of a table. */
export interface TableEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/** Where a block sits, for error messages. */
export interface BlockLocation {
  fileName: string;
  offsetBytes: number;
}

/**
 * Decodes every entry of an uncompressed block. A block is a run of entries, each
 * `varint32 shared, varint32 unshared, varint32 valueLength, key[shared..], value`, where the key
 * reuses `shared` bytes of the previous key; then a uint32 offset per restart point (an entry with
 * shared = 0) and the uint32 count of restart points.
 */
export function decodeBlock(contents: Uint8Array, location: BlockLocation): TableEntry[] {
  const fail = (detail: string): CheckpointError =>
    new CheckpointError({ fileName: location.fileName, check: 'corrupt', detail: `block at offset ${location.offsetBytes}: ${detail}` });

  if (contents.length < 4) throw fail(`${contents.length} bytes is too short for the restart count`);
  const restartCount = readUint32LE(contents, contents.length - 4);
  const entriesEnd = contents.length - 4 - 4 * restartCount;
  if (restartCount === 0 && contents.length > 4) throw fail('no restart points in a non-empty block');
  if (entriesEnd < 0) throw fail(`${restartCount} restart points do not fit in ${contents.length} bytes`);

  const entries: TableEntry[] = [];
  let previousKey: Uint8Array = new Uint8Array(0);
  let offset = 0;
  while (offset < entriesEnd) {
    const shared = decodeVarint(contents, offset, 5);
    const unshared = shared && decodeVarint(contents, shared.nextOffset, 5);
    const valueLength = unshared && decodeVarint(contents, unshared.nextOffset, 5);
    if (!shared || !unshared || !valueLength) throw fail(`invalid entry header at byte ${offset}`);

    const keyStart = valueLength.nextOffset;
    const valueStart = keyStart + unshared.value;
    const valueEnd = valueStart + valueLength.value;
    if (shared.value > previousKey.length || valueEnd > entriesEnd) {
      throw fail(`entry at byte ${offset} (shared ${shared.value}, unshared ${unshared.value}, value ${valueLength.value} bytes) overruns the block`);
    }

    let key: Uint8Array;
    if (shared.value === 0) {
      key = contents.subarray(keyStart, valueStart);
    } else {
      key = new Uint8Array(shared.value + unshared.value);
      key.set(previousKey.subarray(0, shared.value));
      key.set(contents.subarray(keyStart, valueStart), shared.value);
    }
    entries.push({ key, value: contents.subarray(valueStart, valueEnd) });
    previousKey = key;
    offset = valueEnd;
  }
  return entries;
}

/** Builds one block; keys must be added in increasing order. */
export class BlockBuilder {
  private readonly parts: Uint8Array[] = [];
  private readonly restartOffsets: number[] = [0];
  private entriesSizeBytes = 0;
  private entriesSinceRestart = 0;
  private previousKey: Uint8Array = new Uint8Array(0);
  private entryCount = 0;

  /** @param restartInterval Entries between restart points. LevelDB uses 16 for data blocks, 1 for the index. */
  constructor(private readonly restartInterval: number) {}

  get isEmpty(): boolean {
    return this.entryCount === 0;
  }

  /** Size the block would have if finished now, in bytes. */
  get estimatedSizeBytes(): number {
    return this.entriesSizeBytes + 4 * this.restartOffsets.length + 4;
  }

  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.entriesSinceRestart < this.restartInterval) {
      const limit = Math.min(key.length, this.previousKey.length);
      while (shared < limit && key[shared] === this.previousKey[shared]) shared++;
    } else {
      this.restartOffsets.push(this.entriesSizeBytes);
      this.entriesSinceRestart = 0;
    }

    const header: number[] = [];
    pushVarint(header, shared);
    pushVarint(header, key.length - shared);
    pushVarint(header, value.length);
    this.parts.push(Uint8Array.from(header), key.subarray(shared), value);
    this.entriesSizeBytes += header.length + key.length - shared + value.length;

    this.previousKey = key;
    this.entriesSinceRestart++;
    this.entryCount++;
  }

  /** Returns the block's contents: the entries, the restart offsets and their count. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.estimatedSizeBytes);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    for (const restart of this.restartOffsets) {
      writeUint32LE(out, offset, restart);
      offset += 4;
    }
    writeUint32LE(out, offset, this.restartOffsets.length);
    return out;
  }
}
