import type { InceptionV3Options } from './config.js';

/**
 * The full Inception v3 topology shrunk for tests and demos on a CPU: 75×75 inputs, a quarter of
 * the depth with at least 8 channels per convolution, and batch 16. It has no aux head, because
 * that head needs at least 107 pixels. Build it with `{ ...SMALL_CONFIGURATION.model, numClasses }`;
 * at 6 logits the model has 1,375,598 parameters.
 */
export const SMALL_CONFIGURATION: {
  readonly model: Readonly<Omit<InceptionV3Options, 'numClasses'>>;
  readonly batchSize: number;
} = Object.freeze({
  model: Object.freeze({ imageSize: 75, depthMultiplier: 0.25, minDepth: 8, auxLogits: false }),
  batchSize: 16,
});
