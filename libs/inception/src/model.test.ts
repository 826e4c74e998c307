import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildInceptionV3, inceptionV3ConfigOf } from './model.js';
import { isClassifierVariableName, listModelVariables, type ModelVariable } from './model-variables.js';
import { SMALL_CONFIGURATION } from './presets.js';
import { summarizeModel } from './summary.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('buildInceptionV3 at 299 pixels', () => {
  let keras: tf.LayersModel;
  let research: tf.LayersModel;

  beforeAll(() => {
    keras = buildInceptionV3({ numClasses: 1000, auxLogits: false });
    research = buildInceptionV3({ numClasses: 1001 });
  });

  afterAll(() => {
    keras.dispose();
    research.dispose();
  });

  it('has the Keras parameter counts without aux head', () => {
    const summary = summarizeModel(keras);

    expect(summary.totalParamCount).toBe(23_851_784);
    expect(summary.trainableParamCount).toBe(23_817_352);
    expect(summary.nonTrainableParamCount).toBe(34_432);
  });

  it('has 27,145,970 trainable parameters with aux', () => {
    const summary = summarizeModel(research);

    expect(summary.trainableParamCount).toBe(27_145_970);
    expect(summary.nonTrainableParamCount).toBe(36_224);
  });

  it('lists per-layer shapes and counts', () => {
    const layers = new Map(summarizeModel(research).layers.map((layer) => [layer.name, layer]));

    expect(layers.get('conv0')).toMatchObject({ className: 'Conv2D', outputShape: [null, 149, 149, 32], paramCount: 864 });
    expect(layers.get('conv0/BatchNorm')).toMatchObject({ className: 'InceptionBatchNorm', paramCount: 96, trainableParamCount: 32 });
    expect(layers.get('logits/logits')).toMatchObject({ outputShape: [null, 1001], paramCount: 2048 * 1001 + 1001 });
  });

  it.each([
    ['conv1', [147, 147, 32]],
    ['conv2', [147, 147, 64]],
    ['pool1', [73, 73, 64]],
    ['conv4', [71, 71, 192]],
    ['pool2', [35, 35, 192]],
    ['mixed_35x35x256a', [35, 35, 256]],
    ['mixed_35x35x288b', [35, 35, 288]],
    ['mixed_17x17x768a', [17, 17, 768]],
    ['mixed_17x17x768e', [17, 17, 768]],
    ['mixed_17x17x1280a', [8, 8, 1280]],
    ['mixed_8x8x2048b', [8, 8, 2048]],
    ['aux_logits/AvgPool', [5, 5, 768]],
    ['aux_logits/Conv/Relu', [1, 1, 768]],
    ['logits/pool', [1, 1, 2048]],
  ])('gives %s the shape %o', (name, shape) => {
    expect(research.getLayer(name).outputShape).toEqual([null, ...shape]);
  });

  it('outputs logits then aux logits', () => {
    expect(research.outputs.map((output) => output.shape)).toEqual([
      [null, 1001],
      [null, 1001],
    ]);
    expect(research.outputLayers.map((layer) => layer.name)).toEqual(['logits/logits', 'aux_logits/FC']);
    expect(keras.outputs.map((output) => output.shape)).toEqual([[null, 1000]]);
  });

  it('names the 388 variables as research/inception does', () => {
    const variables = listModelVariables(research);
    const shapeOf = (name: string) => variables.find((entry) => entry.name === name)?.variable.shape;

    expect(variables).toHaveLength(388);
    expect(variables.filter((entry) => entry.trainable)).toHaveLength(196);
    expect(shapeOf('conv0/weights')).toEqual([3, 3, 3, 32]);
    expect(shapeOf('conv0/BatchNorm/beta')).toEqual([32]);
    expect(shapeOf('conv0/BatchNorm/moving_variance')).toEqual([32]);
    expect(shapeOf('mixed_35x35x256a/branch5x5/Conv_1/weights')).toEqual([5, 5, 48, 64]);
    expect(shapeOf('mixed_35x35x256a/branch_pool/Conv/weights')).toEqual([1, 1, 192, 32]);
    expect(shapeOf('mixed_17x17x768b/branch7x7dbl/Conv_4/weights')).toEqual([1, 7, 128, 192]);
    expect(shapeOf('mixed_17x17x1280a/branch7x7x3/Conv_3/weights')).toEqual([3, 3, 192, 192]);
    expect(shapeOf('mixed_8x8x2048a/branch3x3dbl/Conv_3/weights')).toEqual([3, 1, 384, 384]);
    expect(shapeOf('aux_logits/proj/weights')).toEqual([1, 1, 768, 128]);
    expect(shapeOf('aux_logits/Conv/weights')).toEqual([5, 5, 128, 768]);
    expect(shapeOf('aux_logits/FC/weights')).toEqual([768, 1001]);
    expect(shapeOf('logits/logits/weights')).toEqual([2048, 1001]);
    expect(shapeOf('logits/logits/biases')).toEqual([1001]);
  });

  it('initializes weights with truncated normals', () => {
    const variables = listModelVariables(research);
    const byName = (name: string) => variables.find((entry) => entry.name === name) as ModelVariable;

    // A normal truncated at 2σ has a standard deviation of 0.8796σ.
    expectTruncatedNormal(byName('mixed_8x8x2048a/branch3x3dbl/Conv_1/weights'), 0.1);
    expectTruncatedNormal(byName('aux_logits/Conv/weights'), 0.01);
    expectTruncatedNormal(byName('aux_logits/FC/weights'), 0.001);
    expectTruncatedNormal(byName('logits/logits/weights'), 0.01);
    expect(tf.max(tf.abs(byName('logits/logits/biases').variable)).dataSync()[0]).toBe(0);
    expect(tf.max(tf.abs(byName('conv4/BatchNorm/beta').variable)).dataSync()[0]).toBe(0);
  });

  it('marks the classifier variables', () => {
    const classifierNames = listModelVariables(research)
      .map((entry) => entry.name)
      .filter(isClassifierVariableName);

    expect(classifierNames.sort()).toEqual(['aux_logits/FC/biases', 'aux_logits/FC/weights', 'logits/logits/biases', 'logits/logits/weights']);
    expect(isClassifierVariableName('logits/logits/weights/RMSProp_1')).toBe(true);
    expect(isClassifierVariableName('logits/pool')).toBe(false);
  });

  it('remembers its configuration', () => {
    expect(inceptionV3ConfigOf(research)?.numClasses).toBe(1001);
    expect(inceptionV3ConfigOf(tf.sequential())).toBeUndefined();
  });
});

describe('buildInceptionV3 with the small configuration', () => {
  it('has 1,375,598 parameters at 6 logits', () => {
    const model = buildInceptionV3({ ...SMALL_CONFIGURATION.model, numClasses: 6 });

    expect(summarizeModel(model).totalParamCount).toBe(1_375_598);
    expect(model.outputs).toHaveLength(1);
    model.dispose();
  });

  it('scales convolution depths only', () => {
    const model = buildInceptionV3({ ...SMALL_CONFIGURATION.model, numClasses: 6 });

    expect(model.getLayer('conv0').outputShape).toEqual([null, 37, 37, 8]);
    expect(model.getLayer('conv4').outputShape).toEqual([null, 15, 15, 48]);
    expect(model.getLayer('mixed_35x35x256a').outputShape).toEqual([null, 7, 7, 16 + 16 + 24 + 8]);
    expect(model.getLayer('mixed_17x17x768e').outputShape).toEqual([null, 3, 3, 192]);
    expect(model.getLayer('mixed_8x8x2048b').outputShape).toEqual([null, 1, 1, 512]);
    expect(model.outputs[0].shape).toEqual([null, 6]);
    model.dispose();
  });

  it('sizes the aux kernel to the map', () => {
    const model = buildInceptionV3({ ...SMALL_CONFIGURATION.model, imageSize: 107, auxLogits: true, numClasses: 6 });
    const shapeOf = (name: string) => listModelVariables(model).find((entry) => entry.name === name)?.variable.shape;

    expect(model.getLayer('mixed_17x17x768e').outputShape).toEqual([null, 5, 5, 192]);
    expect(shapeOf('aux_logits/Conv/weights')).toEqual([1, 1, 32, 192]);
    expect(shapeOf('aux_logits/FC/weights')).toEqual([192, 6]);
    model.dispose();
  });

  it('round-trips through model JSON', async () => {
    const model = buildInceptionV3({ ...SMALL_CONFIGURATION.model, numClasses: 6 });

    const copy = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });

    expect(summarizeModel(copy).totalParamCount).toBe(1_375_598);
    expect(copy.getLayer('conv0/BatchNorm').getClassName()).toBe('InceptionBatchNorm');
    expect(copy.getLayer('mixed_35x35x256a/branch_pool/AvgPool').getClassName()).toBe('InceptionSameAveragePool');
    model.dispose();
    copy.dispose();
  });

  it('separates inference and training modes', () => {
    const model = buildInceptionV3({ ...SMALL_CONFIGURATION.model, numClasses: 6 });
    const images = tf.randomUniform([2, 75, 75, 3], -1, 1);

    const predicted = model.predict(images) as tf.Tensor;
    const again = model.predict(images) as tf.Tensor;
    const trained = model.apply(images, { training: true }) as tf.Tensor;

    expect(predicted.shape).toEqual([2, 6]);
    expect(Array.from(again.dataSync())).toEqual(Array.from(predicted.dataSync()));
    expect(Array.from(trained.dataSync())).not.toEqual(Array.from(predicted.dataSync()));
    model.dispose();
  });
});

function expectTruncatedNormal(entry: ModelVariable, stddev: number): void {
  const values = entry.variable.dataSync();
  let sum = 0;
  let sumOfSquares = 0;
  let maxMagnitude = 0;
  for (const value of values) {
    sum += value;
    sumOfSquares += value * value;
    maxMagnitude = Math.max(maxMagnitude, Math.abs(value));
  }
  const mean = sum / values.length;
  const measured = Math.sqrt(sumOfSquares / values.length - mean * mean);

  expect(Math.abs(mean), entry.name).toBeLessThan(stddev * 0.05);
  expect(measured / stddev, entry.name).toBeCloseTo(0.8796, 1);
  expect(maxMagnitude, entry.name).toBeLessThanOrEqual(2 * stddev * 1.0001);
}
