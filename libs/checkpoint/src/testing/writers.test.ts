import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { makeTempDir } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { memoryFileSystem } from '../byte-source.js';
import { openCheckpoint, readCheckpoint } from '../checkpoint.js';
import type { CheckpointTensor } from '../tensor.js';
import { encodeV1Checkpoint, encodeV2Checkpoint, splitIntoSlices, writeV1Checkpoint, writeV2Checkpoint, type WritableTensor } from './index.js';

const utf8 = new TextEncoder();

/** Returns a tensor of every decoded dtype with edge values, plus a scalar, an empty tensor and sliced tensors. */
function sampleTensors(): WritableTensor[] {
  const matrix = Float32Array.from({ length: 4 * 6 }, (_, i) => i * 0.5 - 3);
  return [
    { name: 'a/matrix', dtype: 'float', shape: [4, 6], values: matrix, slices: splitIntoSlices([4, 6], 1, 4) },
    { name: 'a/rows', dtype: 'float', shape: [5, 2, 3], values: Float32Array.from({ length: 30 }, (_, i) => Math.sin(i)), slices: splitIntoSlices([5, 2, 3], 0, 2) },
    { name: 'b/double', dtype: 'double', shape: [3], values: Float64Array.from([Math.PI, -1e300, 5e-324]) },
    { name: 'c/int32', dtype: 'int32', shape: [2, 3], values: Int32Array.from([0, -1, 2147483647, -2147483648, 42, -42]) },
    { name: 'd/int64', dtype: 'int64', shape: [4], values: BigInt64Array.from([0n, -1n, 2n ** 62n + 7n, -(2n ** 63n)]), slices: splitIntoSlices([4], 0, 3) },
    { name: 'e/bool', dtype: 'bool', shape: [5], values: Uint8Array.from([1, 0, 0, 1, 1]) },
    { name: 'f/string', dtype: 'string', shape: [4], values: [utf8.encode('conv0'), new Uint8Array(0), Uint8Array.from([0, 255, 1]), utf8.encode('é'.repeat(100))] },
    { name: 'g/scalar', dtype: 'float', shape: [], values: Float32Array.from([2.5]) },
    { name: 'h/empty', dtype: 'float', shape: [0, 3], values: new Float32Array(0) },
  ];
}

/** Returns the tensors as a reader returns them: without slices, in name order. */
function asRead(tensors: readonly WritableTensor[]): CheckpointTensor[] {
  return tensors.map(({ slices: _slices, ...tensor }) => tensor as CheckpointTensor).sort((a, b) => (a.name < b.name ? -1 : 1));
}

describe('V1 writer round trip', () => {
  it.each(['none', 'snappy'] as const)('reads back every dtype with %s blocks', async (compression) => {
    const tensors = sampleTensors();
    const fileSystem = memoryFileSystem({ 'model.ckpt': encodeV1Checkpoint(tensors, { compression, blockSizeBytes: 64 }) });

    const read = await readCheckpoint('model.ckpt', { fileSystem });

    expect(read).toEqual(asRead(tensors));
  });

  it('lists the V1 format', async () => {
    const fileSystem = memoryFileSystem({ 'model.ckpt': encodeV1Checkpoint(sampleTensors()) });

    const checkpoint = await openCheckpoint('model.ckpt', { fileSystem });

    expect(checkpoint.format).toBe('v1');
  });

  it('rejects slices that leave a gap', () => {
    const tensor: WritableTensor = { name: 'gap', dtype: 'float', shape: [4], values: new Float32Array(4), slices: [[{ start: 0, length: 3 }]] };

    expect(() => encodeV1Checkpoint([tensor])).toThrow(/cover 3 of 4 elements/);
  });
});

describe('V2 writer round trip', () => {
  it.each([
    { numShards: 1, indexCompression: 'none' as const },
    { numShards: 3, indexCompression: 'snappy' as const },
  ])('reads back every dtype from $numShards shards', async (options) => {
    const tensors = sampleTensors();
    const bundle = encodeV2Checkpoint(tensors, options);
    const files = new Map<string, Uint8Array>([['m.index', bundle.index]]);
    bundle.dataFiles.forEach((bytes, shardId) => files.set(`m.data-0000${shardId}-of-0000${options.numShards}`, bytes));

    const read = await readCheckpoint('m', { fileSystem: memoryFileSystem(files) });

    expect(read).toEqual(asRead(tensors));
  });

  it('reads back big-endian data', async () => {
    const tensors = sampleTensors().filter((tensor) => tensor.dtype !== 'string');
    const bundle = encodeV2Checkpoint(tensors, { endianness: 'big' });
    const fileSystem = memoryFileSystem({ 'm.index': bundle.index, 'm.data-00000-of-00001': bundle.dataFiles[0] });

    const read = await readCheckpoint('m', { fileSystem });

    expect(read).toEqual(asRead(tensors));
  });

  it('writes files under the prefix', async () => {
    const { dir, remove } = await makeTempDir('checkpoint-v2-');
    try {
      const paths = await writeV2Checkpoint(path.join(dir, 'model.ckpt-7'), sampleTensors(), { numShards: 2 });

      expect(paths.map((written) => path.basename(written))).toEqual(['model.ckpt-7.index', 'model.ckpt-7.data-00000-of-00002', 'model.ckpt-7.data-00001-of-00002']);
    } finally {
      await remove();
    }
  });
});

describe('V2 string tensor damage', () => {
  let dir: string;
  let remove: () => Promise<void>;
  const prefixOf = (name: string): string => path.join(dir, name);
  const strings: WritableTensor = { name: 'vocabulary', dtype: 'string', shape: [3], values: ['cat', 'dog', 'bird'].map((word) => utf8.encode(word)) };

  beforeAll(async () => {
    ({ dir, remove } = await makeTempDir('checkpoint-strings-'));
  });
  afterAll(async () => remove());

  async function readWithFlippedByte(name: string, byteIndex: number): Promise<unknown> {
    await writeV2Checkpoint(prefixOf(name), [strings]);
    const dataPath = `${prefixOf(name)}.data-00000-of-00001`;
    const bytes = await readFile(dataPath);
    bytes[byteIndex] ^= 0x01;
    await writeFile(dataPath, bytes);
    const checkpoint = await openCheckpoint(prefixOf(name));
    try {
      return await checkpoint.read('vocabulary').catch((caught: unknown) => caught);
    } finally {
      await checkpoint.close();
    }
  }

  it('detects a damaged length', async () => {
    // Byte 0 is the varint length of the first string.
    expect(await readWithFlippedByte('lengths', 0)).toMatchObject({ check: 'string-lengths-crc', tensorName: 'vocabulary' });
  });

  it('detects damaged string bytes', async () => {
    // Three 1-byte lengths and the 4-byte lengths CRC precede the string bytes.
    expect(await readWithFlippedByte('bytes', 3 + 4 + 1)).toMatchObject({ check: 'tensor-crc', tensorName: 'vocabulary' });
  });
});

describe('V1 file writer', () => {
  it('writes a file that opens as V1', async () => {
    const { dir, remove } = await makeTempDir('checkpoint-v1-');
    try {
      const filePath = path.join(dir, 'model.ckpt-1');
      await writeV1Checkpoint(filePath, sampleTensors(), { compression: 'snappy' });

      const read = await readCheckpoint(filePath);

      expect(read).toEqual(asRead(sampleTensors()));
    } finally {
      await remove();
    }
  });
});
