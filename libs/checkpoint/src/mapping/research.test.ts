import path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { TrainingState } from '@inception/inception';
import { makeTempDir } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCheckpoint, type Checkpoint } from '../checkpoint.js';
import type { CheckpointTensor } from '../tensor.js';
import { inceptionV3VariablePairs, syntheticTensors, writeV1Checkpoint, type WritableTensor } from '../testing/index.js';
import { bytesOf, buildModelWithExpectedVariables, expectedVariablesFor } from '../test-support/inception-model.js';
import type { ExpectedVariable } from './map-tensors.js';
import { MOVING_AVERAGE_SUFFIX } from './map-tensors.js';
import { mapResearchCheckpoint } from './research.js';

// inception-v3-2016-03-01's layout (1001 classes, aux head) at a quarter of the depth, so the
// checkpoint stays small; research.slow.test.ts covers the full size.
const MODEL_OPTIONS = { numClasses: 1001, depthMultiplier: 0.25 };

describe('mapResearchCheckpoint on a synthetic research checkpoint', () => {
  let removeDir: () => Promise<void>;
  let checkpoint: Checkpoint;
  let model: tf.LayersModel;
  let expected: ExpectedVariable[];
  let variables: WritableTensor[];
  let extraNames: string[];

  beforeAll(async () => {
    ({ model, expected } = await buildModelWithExpectedVariables(MODEL_OPTIONS));
    const specs = inceptionV3VariablePairs(MODEL_OPTIONS).map((pair) => ({ name: pair.researchName, shape: pair.researchShape }));
    variables = syntheticTensors(specs, { seed: 1, sliceEvery: 5 });
    const shadows = syntheticTensors(specs.map(({ name, shape }) => ({ name: `${name}${MOVING_AVERAGE_SUFFIX}`, shape })), { seed: 2 });
    const slots = syntheticTensors([{ name: 'conv0/weights/RMSProp', shape: [3, 3, 3, 16] }, { name: 'conv0/weights/RMSProp_1', shape: [3, 3, 3, 16] }], { seed: 3 });
    const globalStep: WritableTensor = { name: 'global_step', dtype: 'int64', shape: [], values: BigInt64Array.from([157585n]) };
    extraNames = [...shadows, ...slots, globalStep].map((tensor) => tensor.name);

    const { dir, remove } = await makeTempDir('checkpoint-research-');
    removeDir = remove;
    const filePath = path.join(dir, 'model.ckpt-157585');
    await writeV1Checkpoint(filePath, [...variables, ...shadows, ...slots, globalStep], { compression: 'snappy' });
    checkpoint = await openCheckpoint(filePath);
  });

  afterAll(async () => {
    await checkpoint?.close();
    model?.dispose();
    await removeDir?.();
  });

  it('maps every model variable', () => {
    const mapping = mapResearchCheckpoint(checkpoint.tensors, { expected });

    expect(Object.keys(mapping.mapped).sort()).toEqual(expected.map(({ name }) => name).sort());
    expect(mapping.missing).toEqual([]);
    expect(mapping.shapeMismatches).toEqual([]);
  });

  it('gives mapped tensors the model shapes', () => {
    const mapping = mapResearchCheckpoint(checkpoint.tensors, { expected });

    for (const { name, shape } of expected) {
      expect(mapping.mapped[name].shape, name).toEqual(shape);
    }
  });

  it('leaves shadows, slots and step unmapped', () => {
    const mapping = mapResearchCheckpoint(checkpoint.tensors, { expected });

    expect(mapping.unmapped.sort()).toEqual([...extraNames].sort());
  });

  it('takes moving averages when asked', () => {
    const mapping = mapResearchCheckpoint(checkpoint.tensors, { expected, useAverages: true });

    expect(Object.keys(mapping.mapped)).toHaveLength(expected.length);
    for (const { name } of expected) {
      expect(mapping.mapped[name].sourceName, name).toBe(`${name}${MOVING_AVERAGE_SUFFIX}`);
    }
  });

  it('reads sliced tensors intact', async () => {
    const sliced = variables.filter((tensor) => tensor.slices !== undefined);

    expect(sliced.length).toBeGreaterThan(10);
    for (const written of sliced) {
      const read = await checkpoint.read(written.name);
      expect(bytesOf(read.values as Float32Array).equals(bytesOf(written.values as Float32Array)), written.name).toBe(true);
    }
  });

  it('restores into the training state', async () => {
    const mapping = mapResearchCheckpoint(checkpoint.tensors, { expected });
    const state = new TrainingState(model);
    const tensors: tf.NamedTensorMap = {};
    for (const [name, entry] of Object.entries(mapping.mapped)) {
      const read = (await checkpoint.read(entry.sourceName)) as Extract<CheckpointTensor, { dtype: 'float' }>;
      tensors[name] = tf.tensor(read.values, entry.shape, 'float32');
    }

    const result = state.restoreCheckpointTensors(tensors);
    tf.dispose(Object.values(tensors));
    state.optimizer.dispose();
    state.movingAverage.dispose();

    expect(result.restoredNames.sort()).toEqual(expected.map(({ name }) => name).sort());
    expect(result.unusedNames).toEqual([]);
  });

  it('reports another class count as mismatches', async () => {
    const sixClasses = await expectedVariablesFor({ ...MODEL_OPTIONS, numClasses: 6 });

    const mapping = mapResearchCheckpoint(checkpoint.tensors, { expected: sixClasses });

    expect(mapping.shapeMismatches.map(({ name }) => name).sort()).toEqual(['aux_logits/FC/biases', 'aux_logits/FC/weights', 'logits/logits/biases', 'logits/logits/weights']);
    expect(mapping.shapeMismatches.find(({ name }) => name === 'logits/logits/biases')).toMatchObject({ expectedShape: [6], checkpointShape: [1001] });
    expect(mapping.missing).toEqual([]);
    expect(Object.keys(mapping.mapped)).toHaveLength(sixClasses.length - 4);
  });
});
