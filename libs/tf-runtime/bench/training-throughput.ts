/**
 * Measures training images per second of a small Inception-style net on the
 * wasm backend against the cpu backend, one momentum step per batch.
 *
 * Run from the repository root:
 *   npx tsx libs/tf-runtime/bench/training-throughput.ts [--image-size=75] [--filters=32] [--batch=8] [--steps=5] [--profile]
 * The cpu backend runs a single step, which takes minutes at the default size.
 * With --profile it prints the time per kernel of one wasm step instead.
 */
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../src/index.js';
import { InceptionStyleNet } from '../src/testing/inception-style-net.js';

const { values: options } = parseArgs({
  options: {
    'image-size': { type: 'string', default: '75' },
    filters: { type: 'string', default: '32' },
    batch: { type: 'string', default: '8' },
    steps: { type: 'string', default: '5' },
    profile: { type: 'boolean', default: false },
  },
});
const netOptions = {
  imageSizePixels: Number(options['image-size']),
  filterCount: Number(options.filters),
  classCount: 10,
};
const batchSize = Number(options.batch);
const wasmStepCount = Number(options.steps);

/** Returns the mean seconds per training step on the active backend, after `warmUpSteps` untimed steps. */
async function secondsPerStep(stepCount: number, warmUpSteps: number): Promise<number> {
  const net = new InceptionStyleNet(netOptions);
  const { images, labels } = net.makeBatch(batchSize, 1);
  const optimizer: tf.Optimizer = tf.train.momentum(0.01, 0.9);
  const step = async () => {
    const { value, grads } = tf.variableGrads(() => net.loss(images, labels, true));
    optimizer.applyGradients(grads);
    await value.data();
    tf.dispose([value, grads]);
  };

  for (let i = 0; i < warmUpSteps; i++) {
    await step();
  }
  const startMs = performance.now();
  for (let i = 0; i < stepCount; i++) {
    await step();
  }
  const seconds = (performance.now() - startMs) / 1000 / stepCount;

  tf.dispose([images, labels]);
  optimizer.dispose();
  return seconds;
}

/** Prints the milliseconds each kernel took in one training step on the active backend, slowest first. */
async function printKernelProfile(): Promise<void> {
  const net = new InceptionStyleNet(netOptions);
  const { images, labels } = net.makeBatch(batchSize, 1);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => net.loss(images, labels, true));
    tf.dispose([value, grads]);
  };
  step();

  const profile = await tf.profile(step);
  const msByKernel = new Map<string, number>();
  for (const kernel of profile.kernels) {
    msByKernel.set(kernel.name, (msByKernel.get(kernel.name) ?? 0) + Number(kernel.kernelTimeMs));
  }
  for (const [name, ms] of [...msByKernel].sort((a, b) => b[1] - a[1])) {
    console.log(`${name}: ${ms.toFixed(1)} ms`);
  }
  tf.dispose([images, labels]);
}

await initBackend({ forced: 'wasm' });
if (options.profile) {
  await printKernelProfile();
  process.exit(0);
}
console.log(
  `net: ${netOptions.imageSizePixels}x${netOptions.imageSizePixels} images, ` +
    `${netOptions.filterCount} filters per convolution, batch ${batchSize}`,
);

const wasmSeconds = await secondsPerStep(wasmStepCount, 1);
console.log(`wasm: ${(wasmSeconds * 1000).toFixed(0)} ms per step, ${(batchSize / wasmSeconds).toFixed(1)} images/s`);

await tf.setBackend('cpu');
const cpuSeconds = await secondsPerStep(1, 0);
console.log(`cpu:  ${(cpuSeconds * 1000).toFixed(0)} ms per step, ${(batchSize / cpuSeconds).toFixed(2)} images/s`);
console.log(`wasm training speed-up over cpu: ${(cpuSeconds / wasmSeconds).toFixed(0)}x`);
