import { beforeAll, describe, expect, it } from 'vitest';

import { memoryFileSystem } from '../byte-source.js';
import { openCheckpoint, type Checkpoint } from '../checkpoint.js';
import { encodeV2Checkpoint, inceptionV3VariablePairs, syntheticTensors, type InceptionV3VariablePair, type WritableTensor } from '../testing/index.js';
import { bytesOf, expectedVariablesFor } from '../test-support/inception-model.js';
import type { ExpectedVariable } from './map-tensors.js';
import { mapSlimCheckpoint, translateSlimVariable } from './slim.js';

// inception_v3_2016_08_28's layout (1001 classes, aux head) at a quarter of the depth.
const MODEL_OPTIONS = { numClasses: 1001, depthMultiplier: 0.25 };

describe('mapSlimCheckpoint on a synthetic slim checkpoint', () => {
  let checkpoint: Checkpoint;
  let expected: ExpectedVariable[];
  let pairs: InceptionV3VariablePair[];
  let written: Map<string, WritableTensor>;

  beforeAll(async () => {
    expected = await expectedVariablesFor(MODEL_OPTIONS);
    pairs = inceptionV3VariablePairs(MODEL_OPTIONS);
    const tensors = syntheticTensors(pairs.map((pair) => ({ name: pair.slimName, shape: pair.slimShape })));
    const globalStep: WritableTensor = { name: 'global_step', dtype: 'int64', shape: [], values: BigInt64Array.from([0n]) };
    written = new Map(tensors.map((tensor) => [tensor.name, tensor]));

    const bundle = encodeV2Checkpoint([...tensors, globalStep]);
    const fileSystem = memoryFileSystem({ 'model.ckpt.index': bundle.index, 'model.ckpt.data-00000-of-00001': bundle.dataFiles[0] });
    checkpoint = await openCheckpoint('model.ckpt', { fileSystem });
  });

  it('maps every model variable', () => {
    const mapping = mapSlimCheckpoint(checkpoint.tensors, { expected });

    expect(Object.keys(mapping.mapped).sort()).toEqual(expected.map(({ name }) => name).sort());
    expect(mapping.missing).toEqual([]);
    expect(mapping.shapeMismatches).toEqual([]);
    expect(mapping.unmapped).toEqual(['global_step']);
  });

  it('pairs each slim variable with its research name', () => {
    const mapping = mapSlimCheckpoint(checkpoint.tensors, { expected });

    for (const { researchName, slimName } of pairs) {
      expect(mapping.mapped[researchName]?.sourceName, researchName).toBe(slimName);
    }
  });

  it('reshapes the classifier kernels', () => {
    const mapping = mapSlimCheckpoint(checkpoint.tensors, { expected });

    expect(mapping.mapped['logits/logits/weights'].shape).toEqual([512, 1001]);
    expect(mapping.mapped['aux_logits/FC/weights'].shape).toEqual([192, 1001]);
  });

  it('keeps the values of a reshaped kernel', async () => {
    const mapping = mapSlimCheckpoint(checkpoint.tensors, { expected });
    const entry = mapping.mapped['logits/logits/weights'];

    const read = await checkpoint.read(entry.sourceName);

    expect(bytesOf(read.values as Float32Array).equals(bytesOf(written.get(entry.sourceName)?.values as Float32Array))).toBe(true);
  });
});

describe('translateSlimVariable', () => {
  it.each([
    ['InceptionV3/Conv2d_1a_3x3/weights', 'conv0/weights'],
    ['InceptionV3/Mixed_5b/Branch_1/Conv2d_0b_5x5/BatchNorm/beta', 'mixed_35x35x256a/branch5x5/Conv_1/BatchNorm/beta'],
    ['InceptionV3/Mixed_5c/Branch_1/Conv_1_0c_5x5/weights', 'mixed_35x35x288a/branch5x5/Conv_1/weights'],
    ['InceptionV3/Mixed_6a/Branch_1/Conv2d_1a_1x1/weights', 'mixed_17x17x768a/branch3x3dbl/Conv_2/weights'],
    ['InceptionV3/Mixed_7a/Branch_1/Conv2d_1a_3x3/BatchNorm/moving_variance', 'mixed_17x17x1280a/branch7x7x3/Conv_3/BatchNorm/moving_variance'],
    ['InceptionV3/Mixed_7c/Branch_1/Conv2d_0c_3x1/weights', 'mixed_8x8x2048b/branch3x3/Conv_2/weights'],
    ['InceptionV3/AuxLogits/Conv2d_1b_1x1/weights', 'aux_logits/proj/weights'],
    ['InceptionV3/AuxLogits/Conv2d_2a_3x3/weights', 'aux_logits/Conv/weights'],
    ['InceptionV3/Logits/Conv2d_1c_1x1/biases', 'logits/logits/biases'],
  ])('maps %s', (slimName, researchName) => {
    expect(translateSlimVariable(slimName)?.name).toBe(researchName);
  });

  it.each(['global_step', 'InceptionV3/Mixed_5b/Branch_3/AvgPool_0a_3x3/weights', 'InceptionV3/Conv2d_1a_3x3/BatchNorm/gamma', 'conv0/weights'])(
    'leaves %s unmapped',
    (name) => {
      expect(translateSlimVariable(name)).toBeUndefined();
    },
  );
});
