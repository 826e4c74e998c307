/**
 * Measures the filter gradient of one Inception v3 convolution on the wasm
 * backend (this package's Conv2DBackpropFilter) against the cpu backend.
 *
 * Run from the repository root: npx tsx libs/tf-runtime/bench/conv-filter-grad.ts [--batch=2] [--repeats=5]
 * The layer is the 5x5 branch of Inception v3's first mixed block: a 35x35x48
 * input, a 5x5x48x64 filter, stride 1 and SAME padding.
 */
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../src/index.js';
import { maxRelativeError } from '../src/testing/backend-parity.js';

const { values: options } = parseArgs({
  options: {
    batch: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '5' },
  },
});
const batchSize = Number(options.batch);
const wasmRepeats = Number(options.repeats);

const xShape: [number, number, number, number] = [batchSize, 35, 35, 48];
const filterShape: [number, number, number, number] = [5, 5, 48, 64];
const stride = 1;
const pad = 'same';

const convInfo = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, 1, pad);
const flopsPerRun =
  2 * batchSize * convInfo.outHeight * convInfo.outWidth * filterShape[0] * filterShape[1] * filterShape[2] * filterShape[3];

/**
 * Returns the mean seconds per run of `kernel` on the active backend and the
 * output of the last run. A warm-up run first lets XNNPACK set up its
 * operators, which the cpu backend does not need and, at about a minute per
 * run, cannot afford.
 */
function measure(
  kernel: 'filterGradient' | 'forward',
  repeats: number,
  warmUp: boolean,
): { seconds: number; values: Float32Array } {
  const x = tf.randomNormal(xShape, 0, 1, 'float32', 1);
  const dy = tf.randomNormal(convInfo.outShape, 0, 1, 'float32', 2);
  const filter = tf.randomNormal(filterShape, 0, 1, 'float32', 3);
  let values: Float32Array = new Float32Array(0);
  const run = () => {
    const output =
      kernel === 'filterGradient'
        ? tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: stride, pad, dataFormat: 'NHWC', filterShape })
        : tf.engine().runKernel(tf.Conv2D, { x, filter }, { strides: stride, pad, dataFormat: 'NHWC', dilations: 1 });
    values = (output as tf.Tensor).dataSync() as Float32Array;
    (output as tf.Tensor).dispose();
  };

  if (warmUp) {
    run();
  }
  const startMs = performance.now();
  for (let i = 0; i < repeats; i++) {
    run();
  }
  const seconds = (performance.now() - startMs) / 1000 / repeats;

  tf.dispose([x, dy, filter]);
  return { seconds, values };
}

function formatRate(seconds: number): string {
  return `${(seconds * 1000).toFixed(1)} ms, ${(flopsPerRun / seconds / 1e9).toFixed(3)} GFLOP/s`;
}

const choice = await initBackend({ forced: 'wasm' });
console.log(
  `layer: x [${xShape}], filter [${filterShape}], stride ${stride}, ${pad}: ` +
    `${(flopsPerRun / 1e9).toFixed(3)} GFLOP per filter gradient`,
);
console.log(`wasm: SIMD ${choice.wasm?.simd}, ${choice.wasm?.threadsCount} thread(s)`);

const wasmForward = measure('forward', wasmRepeats, true);
console.log(`wasm Conv2D forward, for reference: ${formatRate(wasmForward.seconds)}`);
const wasm = measure('filterGradient', wasmRepeats, true);
console.log(`wasm Conv2DBackpropFilter: ${formatRate(wasm.seconds)}`);

await tf.setBackend('cpu');
const cpu = measure('filterGradient', 1, false);
console.log(`cpu Conv2DBackpropFilter:  ${formatRate(cpu.seconds)}`);
console.log(`wasm filter gradient speed-up over cpu: ${(cpu.seconds / wasm.seconds).toFixed(0)}x`);
console.log(`max relative error of wasm against cpu: ${maxRelativeError(wasm.values, cpu.values).toExponential(2)}`);
