import path from 'node:path';

import { makeTempDir } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCheckpoint, type Checkpoint } from '../checkpoint.js';
import { inceptionV3VariablePairs, syntheticTensors, writeV1Checkpoint } from '../testing/index.js';
import { expectedVariablesFor } from '../test-support/inception-model.js';
import { mapResearchCheckpoint } from './research.js';

// The full inception-v3-2016-03-01 layout: 1001 classes, aux head, about 27 M floats (110 MB).
// Writing, reading and building two full models took about 5 s on 2 cores, hence a slow test.
// Run it with `npm run test:slow -w @inception/checkpoint`.
const PUBLISHED_OPTIONS = { numClasses: 1001 };

describe('mapResearchCheckpoint at full size', () => {
  let removeDir: () => Promise<void>;
  let checkpoint: Checkpoint;

  beforeAll(async () => {
    const specs = inceptionV3VariablePairs(PUBLISHED_OPTIONS).map((pair) => ({ name: pair.researchName, shape: pair.researchShape }));
    const { dir, remove } = await makeTempDir('checkpoint-research-full-');
    removeDir = remove;
    const filePath = path.join(dir, 'model.ckpt-157585');
    await writeV1Checkpoint(filePath, syntheticTensors(specs, { sliceEvery: 7 }), { compression: 'snappy' });
    checkpoint = await openCheckpoint(filePath);
  });

  afterAll(async () => {
    await checkpoint?.close();
    await removeDir?.();
  });

  it('lists 27,182,194 values', () => {
    // 27,145,970 trainable parameters and 36,224 batch-norm moving statistics.
    expect(checkpoint.tensors.reduce((total, tensor) => total + tensor.numElements, 0)).toBe(27_182_194);
  });

  it('maps every model variable', async () => {
    const expected = await expectedVariablesFor(PUBLISHED_OPTIONS);

    const mapping = mapResearchCheckpoint(checkpoint.tensors, { expected });

    expect(Object.keys(mapping.mapped).sort()).toEqual(expected.map(({ name }) => name).sort());
    expect(mapping.missing).toEqual([]);
    expect(mapping.shapeMismatches).toEqual([]);
    expect(mapping.unmapped).toEqual([]);
  });

  it('reads every tensor', async () => {
    let values = 0;
    for (const { name } of checkpoint.tensors) values += (await checkpoint.read(name)).values.length;

    expect(values).toBe(27_182_194);
  });

  it('reports another class count as mismatches', async () => {
    const expected = await expectedVariablesFor({ ...PUBLISHED_OPTIONS, numClasses: 6 });

    const mapping = mapResearchCheckpoint(checkpoint.tensors, { expected });

    expect(mapping.shapeMismatches.map(({ name }) => name).sort()).toEqual(['aux_logits/FC/biases', 'aux_logits/FC/weights', 'logits/logits/biases', 'logits/logits/weights']);
    expect(mapping.missing).toEqual([]);
  });
});
