import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { fixturePath, makeTempDir, readExpected } from '@inception/testing';
import { describe, expect, it } from 'vitest';

import { memoryFileSystem } from './byte-source.js';
import { openCheckpoint, readCheckpoint } from './checkpoint.js';
import { CheckpointError } from './errors.js';
import { sumTensorValues } from './tensor.js';
import { encodeV1Checkpoint, encodeV2Checkpoint } from './testing/index.js';
import { CHECKPOINT_FIXTURES, copyFixtureFolder, fixtureOpenPath, readExpectedCheckpoint, shortDTypeName, sumTolerance, type ExpectedCheckpoint } from './test-support/expected.js';

describe.each(CHECKPOINT_FIXTURES)('checkpoint fixture $folder', (fixture) => {
  const expected = readExpectedCheckpoint(fixture);

  it('detects the format', async () => {
    const checkpoint = await openCheckpoint(fixtureOpenPath(fixture));
    await checkpoint.close();

    expect(checkpoint.format).toBe(fixture.format);
  });

  it('lists exactly the expected tensors', async () => {
    const checkpoint = await openCheckpoint(fixtureOpenPath(fixture));
    await checkpoint.close();

    expect(checkpoint.tensors.map((tensor) => tensor.name)).toEqual(Object.keys(expected.tensors).sort());
  });

  it('reads dtypes, shapes and sums', async () => {
    const tensors = await readCheckpoint(fixtureOpenPath(fixture));

    for (const tensor of tensors) {
      const want = expected.tensors[tensor.name];
      expect(tensor.dtype, `${tensor.name} dtype`).toBe(shortDTypeName(want.dtype));
      expect(tensor.shape, `${tensor.name} shape`).toEqual(want.shape);
      expect(tensor.values.length, `${tensor.name} element count`).toBe(want.num_elements ?? want.num_values);
      expect(Math.abs((sumTensorValues(tensor) ?? Number.NaN) - want.sum), `${tensor.name} sum`).toBeLessThanOrEqual(sumTolerance(want.sum));
    }
  });

  it('rejects reads after close', async () => {
    const checkpoint = await openCheckpoint(fixtureOpenPath(fixture));
    await checkpoint.close();

    await expect(checkpoint.read(checkpoint.tensors[0].name)).rejects.toThrow();
  });

  it('reads the same from memory', async () => {
    const folder = fixturePath(fixture.folder);
    const files = new Map<string, Uint8Array>();
    for (const name of await readdir(folder)) files.set(`memory/${name}`, await readFile(path.join(folder, name)));

    const inMemory = await readCheckpoint(path.posix.join('memory', fixture.openName), { fileSystem: memoryFileSystem(files) });

    expect(inMemory).toEqual(await readCheckpoint(fixtureOpenPath(fixture)));
  });
});

describe('checkpoint detection', () => {
  const mnistFolder = 'tensorflow/ckpt_v2_tensorrt_mnist';

  it('follows the checkpoint state file', async () => {
    const checkpoint = await openCheckpoint(fixturePath(`${mnistFolder}/checkpoint`));
    await checkpoint.close();

    expect(checkpoint.path).toBe(path.join(fixturePath(mnistFolder), 'model.ckpt-46900'));
  });

  it('accepts the index file path', async () => {
    const checkpoint = await openCheckpoint(fixturePath(`${mnistFolder}/model.ckpt-46900.index`));
    await checkpoint.close();

    expect(checkpoint.path).toBe(fixturePath(`${mnistFolder}/model.ckpt-46900.index`).replace(/\.index$/, ''));
  });

  it('retries absolute state paths beside the state file', async () => {
    const { dir, remove } = await makeTempDir('checkpoint-state-');
    try {
      const folder = await copyFixtureFolder(mnistFolder, dir);
      await writeFile(path.join(folder, 'checkpoint'), 'model_checkpoint_path: "/train/machine/model.ckpt-46900"\n');

      const checkpoint = await openCheckpoint(folder);
      await checkpoint.close();

      expect(checkpoint.path).toBe(path.join(folder, 'model.ckpt-46900'));
    } finally {
      await remove();
    }
  });

  it('rejects a sharded V1 pattern', async () => {
    const fileSystem = memoryFileSystem({ 'train/checkpoint': new TextEncoder().encode('model_checkpoint_path: "model.ckpt-?????-of-00002"\n') });

    await expect(openCheckpoint('train', { fileSystem })).rejects.toMatchObject({ check: 'unsupported', fileName: 'train/model.ckpt-?????-of-00002' });
  });

  it('reports a missing checkpoint as not found', async () => {
    const { dir, remove } = await makeTempDir('checkpoint-missing-');
    try {
      await expect(openCheckpoint(path.join(dir, 'model.ckpt-1'))).rejects.toMatchObject({ name: 'CheckpointError', check: 'not-found' });
    } finally {
      await remove();
    }
  });

  it('lists tensors without the data file', async () => {
    const { dir, remove } = await makeTempDir('checkpoint-lazy-');
    try {
      const folder = await copyFixtureFolder(mnistFolder, dir);
      await rm(path.join(folder, 'model.ckpt-46900.data-00000-of-00001'));

      const checkpoint = await openCheckpoint(folder);
      const listed = checkpoint.tensors.length;
      const read = checkpoint.read('global_step');

      await expect(read).rejects.toMatchObject({ check: 'not-found', tensorName: 'global_step' });
      await checkpoint.close();
      expect(listed).toBe(27);
    } finally {
      await remove();
    }
  });
});

describe('damaged checkpoints', () => {
  it('names the tensor whose data CRC fails', async () => {
    const expected = readExpected<ExpectedCheckpoint>('tensorflow/ckpt_v2_tensorrt_mnist/model.ckpt-46900.index');
    const [victim, entry] = Object.entries(expected.tensors).reduce((largest, candidate) => ((candidate[1].size ?? 0) > (largest[1].size ?? 0) ? candidate : largest));
    const { dir, remove } = await makeTempDir('checkpoint-flip-');
    try {
      const folder = await copyFixtureFolder('tensorflow/ckpt_v2_tensorrt_mnist', dir);
      const dataPath = path.join(folder, 'model.ckpt-46900.data-00000-of-00001');
      const bytes = await readFile(dataPath);
      bytes[(entry.offset ?? 0) + Math.floor((entry.size ?? 0) / 2)] ^= 0x01;
      await writeFile(dataPath, bytes);

      const checkpoint = await openCheckpoint(folder);
      const error = await checkpoint.read(victim).catch((caught: unknown) => caught);
      await checkpoint.close();

      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).check).toBe('tensor-crc');
      expect((error as CheckpointError).tensorName).toBe(victim);
      expect((error as CheckpointError).message).toContain(victim);
    } finally {
      await remove();
    }
  });

  it('reports a flipped V1 byte as a block CRC error', async () => {
    const bytes = await readFile(fixturePath('tensorflow/ckpt_v1_tfprof/ckpt'));
    bytes[400] ^= 0x80;
    const fileSystem = memoryFileSystem({ ckpt: bytes });

    await expect(readCheckpoint('ckpt', { fileSystem })).rejects.toMatchObject({ check: 'block-crc', fileName: 'ckpt' });
  });

  it('reports a flipped index byte as a block CRC error', async () => {
    const prefix = 'tensorflow/ckpt_v2_contrib_framework_bundle/bundle_checkpoint';
    const index = await readFile(fixturePath(`${prefix}.index`));
    index[20] ^= 0x04;
    const fileSystem = memoryFileSystem({ 'b.index': index, 'b.data-00000-of-00001': await readFile(fixturePath(`${prefix}.data-00000-of-00001`)) });

    await expect(openCheckpoint('b', { fileSystem })).rejects.toMatchObject({ check: 'block-crc', fileName: 'b.index' });
  });
});

describe('writers against TensorFlow bytes', () => {
  it('re-encodes the V1 fixture byte for byte', async () => {
    const file = fixturePath('tensorflow/ckpt_v1_tfprof/ckpt');
    const tensors = await readCheckpoint(file);

    expect(Buffer.compare(encodeV1Checkpoint(tensors), await readFile(file))).toBe(0);
  });

  it.each(CHECKPOINT_FIXTURES.filter((fixture) => fixture.format === 'v2' && fixture.openName !== ''))('re-encodes $folder byte for byte', async (fixture) => {
    const prefix = fixtureOpenPath(fixture);
    const bundle = encodeV2Checkpoint(await readCheckpoint(prefix));

    expect(Buffer.compare(bundle.index, await readFile(`${prefix}.index`))).toBe(0);
    expect(Buffer.compare(bundle.dataFiles[0], await readFile(`${prefix}.data-00000-of-00001`))).toBe(0);
  });
});
