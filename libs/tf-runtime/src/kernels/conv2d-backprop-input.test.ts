import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { registerWasmGradientKernels } from '../register-wasm-gradient-kernels.js';
import { maxRelativeError, poisonFreedMemory, seededNormalValues } from '../testing/backend-parity.js';

interface InputGradientCase {
  xShape: [number, number, number, number];
  filterHeight: number;
  filterWidth: number;
  outChannels: number;
  stride: number;
  pad: 'same' | 'valid' | number;
}

// Batch sizes 1 to 8, channel counts 1 to 16, and odd and even input sizes.
// Stride-2 SAME cases with an odd total padding (8x8 with 3x3, 12x12 with 5x5,
// height 10 with 7x1) pad one more row or column at the bottom or right. In
// the 1x1 stride-2 SAME case on an odd input and the VALID cases on even
// inputs, no window reads the last input rows. The numeric padding of 4 on a
// 3x3 filter puts the first window before the first input row.
const cases: InputGradientCase[] = [
  { xShape: [1, 5, 5, 1], filterHeight: 1, filterWidth: 1, outChannels: 1, stride: 1, pad: 'valid' },
  { xShape: [2, 8, 8, 3], filterHeight: 1, filterWidth: 1, outChannels: 5, stride: 1, pad: 'same' },
  { xShape: [3, 9, 9, 4], filterHeight: 1, filterWidth: 1, outChannels: 6, stride: 2, pad: 'same' },
  { xShape: [2, 10, 10, 3], filterHeight: 1, filterWidth: 1, outChannels: 2, stride: 2, pad: 'valid' },
  { xShape: [2, 9, 9, 3], filterHeight: 3, filterWidth: 3, outChannels: 4, stride: 1, pad: 'same' },
  { xShape: [1, 8, 8, 16], filterHeight: 3, filterWidth: 3, outChannels: 8, stride: 1, pad: 'valid' },
  { xShape: [2, 9, 9, 3], filterHeight: 3, filterWidth: 3, outChannels: 4, stride: 2, pad: 'same' },
  { xShape: [2, 8, 8, 3], filterHeight: 3, filterWidth: 3, outChannels: 4, stride: 2, pad: 'same' },
  { xShape: [4, 11, 11, 2], filterHeight: 3, filterWidth: 3, outChannels: 8, stride: 2, pad: 'valid' },
  { xShape: [3, 10, 10, 5], filterHeight: 3, filterWidth: 3, outChannels: 3, stride: 2, pad: 'valid' },
  { xShape: [2, 6, 6, 2], filterHeight: 3, filterWidth: 3, outChannels: 3, stride: 1, pad: 4 },
  { xShape: [2, 7, 7, 3], filterHeight: 5, filterWidth: 5, outChannels: 4, stride: 1, pad: 'same' },
  { xShape: [1, 12, 12, 2], filterHeight: 5, filterWidth: 5, outChannels: 3, stride: 1, pad: 'valid' },
  { xShape: [2, 12, 12, 3], filterHeight: 5, filterWidth: 5, outChannels: 2, stride: 2, pad: 'same' },
  { xShape: [2, 11, 11, 3], filterHeight: 5, filterWidth: 5, outChannels: 2, stride: 2, pad: 'valid' },
  { xShape: [2, 9, 9, 4], filterHeight: 1, filterWidth: 7, outChannels: 3, stride: 1, pad: 'same' },
  { xShape: [8, 8, 10, 2], filterHeight: 1, filterWidth: 7, outChannels: 3, stride: 2, pad: 'valid' },
  { xShape: [2, 9, 9, 4], filterHeight: 7, filterWidth: 1, outChannels: 3, stride: 1, pad: 'same' },
  { xShape: [3, 10, 7, 3], filterHeight: 7, filterWidth: 1, outChannels: 5, stride: 2, pad: 'same' },
  { xShape: [1, 9, 8, 8], filterHeight: 7, filterWidth: 1, outChannels: 16, stride: 1, pad: 'valid' },
];

function describeCase({ xShape, filterHeight, filterWidth, outChannels, stride, pad }: InputGradientCase): string {
  return `x ${xShape.join('x')}, filter ${filterHeight}x${filterWidth} to ${outChannels}, stride ${stride}, pad ${pad}`;
}

/** Runs Conv2DBackpropInput on the active backend for the given dy and filter values. */
function inputGradient(testCase: InputGradientCase, dyValues: Float32Array, filterValues: Float32Array): tf.Tensor4D {
  const { xShape, filterHeight, filterWidth, outChannels, stride, pad } = testCase;
  const filterShape: [number, number, number, number] = [filterHeight, filterWidth, xShape[3], outChannels];

  return tf.tidy(() => {
    const filter = tf.tensor4d(filterValues.subarray(0, tf.util.sizeFromShape(filterShape)), filterShape);
    const dyShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, 1, pad).outShape;
    const dy = tf.tensor4d(dyValues.subarray(0, tf.util.sizeFromShape(dyShape)), dyShape);
    const attrs: tf.Conv2DBackpropInputAttrs = { strides: stride, pad, dataFormat: 'NHWC', inputShape: xShape };
    return tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  });
}

describe('Conv2DBackpropInput on wasm', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmGradientKernels();
    await tf.setBackend('wasm');
  });

  it.each(cases.map((testCase) => [describeCase(testCase), testCase] as const))(
    'matches cpu: %s',
    async (_name, testCase) => {
      const { xShape, filterHeight, filterWidth, outChannels } = testCase;
      // With padding the output can have more positions than the input.
      const dyValues = seededNormalValues(tf.util.sizeFromShape(xShape) * outChannels * 4, 1);
      const filterValues = seededNormalValues(filterHeight * filterWidth * xShape[3] * outChannels, 2);

      await tf.setBackend('cpu');
      const expected = inputGradient(testCase, dyValues, filterValues);
      const expectedValues = expected.dataSync();
      expected.dispose();

      await tf.setBackend('wasm');
      poisonFreedMemory();
      const actual = inputGradient(testCase, dyValues, filterValues);

      expect(actual.shape).toEqual(xShape);
      expect(maxRelativeError(actual.dataSync(), expectedValues)).toBeLessThanOrEqual(1e-3);
      actual.dispose();
    },
  );

  it('frees every intermediate', async () => {
    await tf.setBackend('wasm');
    const testCase = cases[6];
    const dyValues = seededNormalValues(tf.util.sizeFromShape(testCase.xShape) * testCase.outChannels, 3);
    const filterValues = seededNormalValues(9 * testCase.xShape[3] * testCase.outChannels, 4);
    const dataIdsBefore = tf.backend().numDataIds();
    const tensorsBefore = tf.memory().numTensors;

    inputGradient(testCase, dyValues, filterValues).dispose();

    expect(tf.backend().numDataIds()).toBe(dataIdsBefore);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('rejects NCHW data format', async () => {
    await tf.setBackend('wasm');
    const dy = tf.zeros([1, 2, 5, 5]);
    const filter = tf.zeros([3, 3, 2, 2]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', inputShape: [1, 2, 5, 5] };

    expect(() => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, attrs)).toThrow(
      "Conv2DBackpropInput (wasm): dataFormat must be 'NHWC', got 'NCHW'",
    );
    tf.dispose([dy, filter]);
  });
});
