import * as tf from '@tensorflow/tfjs';

import { buildInceptionV3, listModelVariables, type InceptionV3Options } from '@inception/inception';

import { expectedVariablesOf, type ExpectedVariable } from '../mapping/map-tensors.js';

/** Builds the model on the cpu backend and returns it with its variables' names and shapes. */
export async function buildModelWithExpectedVariables(options: InceptionV3Options): Promise<{ model: tf.LayersModel; expected: ExpectedVariable[] }> {
  await tf.setBackend('cpu');
  const model = buildInceptionV3(options);
  return { model, expected: expectedVariablesOf(listModelVariables(model)) };
}

/** Returns the names and shapes of a model's variables, disposing the model. */
export async function expectedVariablesFor(options: InceptionV3Options): Promise<ExpectedVariable[]> {
  const { model, expected } = await buildModelWithExpectedVariables(options);
  model.dispose();
  return expected;
}

/** Views a float array's bytes, because comparing large typed arrays element by element in expect() is slow. */
export function bytesOf(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}
