import * as tf from '@tensorflow/tfjs';

import type { InceptionV3Config } from './config.js';
import { convUnit, ConvScope } from './units.js';

/**
 * Adds the auxiliary classifier on the 17×17 stage (`aux_logits/...`): 5×5 average pool with
 * stride 3 VALID, 1×1 convolution `proj` of 128 channels, a VALID convolution of 768 channels whose
 * kernel covers the whole remaining map (5×5 at 299 pixels, weights stddev 0.01), flatten, and
 * the fully connected layer `aux_logits/FC` (weights stddev 0.001, no activation).
 */
export function auxLogitsHead(input: tf.SymbolicTensor, config: InceptionV3Config): tf.SymbolicTensor {
  const scope = new ConvScope('aux_logits', config);

  const pool = tf.layers.averagePooling2d({ name: scope.nameOf('AvgPool'), poolSize: 5, strides: 3, padding: 'valid' });
  const pooled = pool.apply(input) as tf.SymbolicTensor;
  const projected = convUnit(pooled, scope.nameOf('proj'), 128, 1, config);

  const [, height, width] = spatialShape(projected);
  const convolved = scope.conv(projected, 768, [height, width], { padding: 'valid', stddev: 0.01 });
  const flat = tf.layers.flatten({ name: scope.nameOf('flatten') }).apply(convolved) as tf.SymbolicTensor;

  return fullyConnected(flat, scope.nameOf('FC'), config.numClasses, 0.001);
}

/**
 * Adds the classifier (`logits/...`): average pool over the whole final map (8×8 at 299 pixels)
 * VALID, dropout keeping `dropoutKeepProb` of the activations in training, flatten, and the fully
 * connected layer `logits/logits` (weights stddev 0.01, no activation).
 */
export function logitsHead(input: tf.SymbolicTensor, config: InceptionV3Config): tf.SymbolicTensor {
  const [, height, width] = spatialShape(input);

  const pool = tf.layers.averagePooling2d({ name: 'logits/pool', poolSize: [height, width], padding: 'valid' });
  const pooled = pool.apply(input) as tf.SymbolicTensor;
  const dropout = tf.layers.dropout({ name: 'logits/dropout', rate: 1 - config.dropoutKeepProb });
  const dropped = dropout.apply(pooled) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'logits/flatten' }).apply(dropped) as tf.SymbolicTensor;

  return fullyConnected(flat, 'logits/logits', config.numClasses, 0.01);
}

function fullyConnected(input: tf.SymbolicTensor, name: string, units: number, stddev: number): tf.SymbolicTensor {
  const dense = tf.layers.dense({
    name,
    units,
    useBias: true,
    kernelInitializer: tf.initializers.truncatedNormal({ mean: 0, stddev }),
    biasInitializer: tf.initializers.zeros(),
  });
  return dense.apply(input) as tf.SymbolicTensor;
}

function spatialShape(tensor: tf.SymbolicTensor): [batch: number | null, height: number, width: number] {
  const [batch, height, width] = tensor.shape;
  if (height == null || width == null) {
    throw new Error(`${tensor.name}: the height and width of shape ${JSON.stringify(tensor.shape)} must be known`);
  }
  return [batch, height, width];
}
