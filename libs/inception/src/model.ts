import * as tf from '@tensorflow/tfjs';

import { mixed17x17, mixed17x17Reduction, mixed35x35, mixed8x8, mixed8x8Reduction } from './blocks.js';
import { resolveInceptionV3Config, type InceptionV3Config, type InceptionV3Options } from './config.js';
import { auxLogitsHead, logitsHead } from './heads.js';
import { convUnit, maxPool3x3Stride2 } from './units.js';

const configByModel = new WeakMap<tf.LayersModel, InceptionV3Config>();

/**
 * Builds Inception v3 as in TensorFlow's research/inception, as a functional tfjs model named
 * `inception_v3` with one input `images` of shape [batch, imageSize, imageSize, 3] (NHWC, values
 * scaled to [-1, 1]).
 *
 * Outputs: `[logits]`, or `[logits, auxLogits]` when `auxLogits` is on. Both are
 * [batch, numClasses] and unnormalized. Call the model with `{training: true}` to use batch
 * statistics (and update the moving ones) and dropout. `predict` runs in inference mode.
 * Layers and weights carry the research/inception scope names (`conv0`, `mixed_35x35x256a/branch5x5/Conv_1`,
 * `aux_logits/FC`, `logits/logits`), and `listModelVariables` maps them to checkpoint names.
 * Each block's output is the concatenation layer named after the block, such as `mixed_17x17x768e`.
 */
export function buildInceptionV3(options: InceptionV3Options): tf.LayersModel {
  const config = resolveInceptionV3Config(options);

  const images = tf.input({ name: 'images', shape: [config.imageSize, config.imageSize, 3] });

  // Stem: 299 → 149 → 147 → 147 → 73 → 73 → 71 → 35 pixels at the default size.
  let net = convUnit(images, 'conv0', 32, 3, config, { strides: 2, padding: 'valid' });
  net = convUnit(net, 'conv1', 32, 3, config, { padding: 'valid' });
  net = convUnit(net, 'conv2', 64, 3, config, { padding: 'same' });
  net = maxPool3x3Stride2(net, 'pool1');
  net = convUnit(net, 'conv3', 80, 1, config, { padding: 'valid' });
  net = convUnit(net, 'conv4', 192, 3, config, { padding: 'valid' });
  net = maxPool3x3Stride2(net, 'pool2');

  net = mixed35x35(net, 'mixed_35x35x256a', 32, config);
  net = mixed35x35(net, 'mixed_35x35x288a', 64, config);
  net = mixed35x35(net, 'mixed_35x35x288b', 64, config);

  net = mixed17x17Reduction(net, 'mixed_17x17x768a', config);
  net = mixed17x17(net, 'mixed_17x17x768b', 128, config);
  net = mixed17x17(net, 'mixed_17x17x768c', 160, config);
  net = mixed17x17(net, 'mixed_17x17x768d', 160, config);
  net = mixed17x17(net, 'mixed_17x17x768e', 192, config);
  const auxLogits = config.auxLogits ? auxLogitsHead(net, config) : undefined;

  net = mixed8x8Reduction(net, 'mixed_17x17x1280a', config);
  net = mixed8x8(net, 'mixed_8x8x2048a', config);
  net = mixed8x8(net, 'mixed_8x8x2048b', config);
  const logits = logitsHead(net, config);

  const outputs = auxLogits === undefined ? [logits] : [logits, auxLogits];
  const model = tf.model({ name: 'inception_v3', inputs: images, outputs });
  configByModel.set(model, config);
  return model;
}

/** Returns the resolved configuration a model was built with, or undefined for other models. */
export function inceptionV3ConfigOf(model: tf.LayersModel): InceptionV3Config | undefined {
  return configByModel.get(model);
}
