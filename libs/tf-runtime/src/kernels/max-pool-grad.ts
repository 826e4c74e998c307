import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { requireInput } from './wasm-kernel.js';

/**
 * Computes the input gradient of 2-D max pooling on the wasm backend: each
 * window passes its dy to the first maximum in row-major window order, the
 * element the cpu backend picks, and windows that overlap add up.
 *
 * It replaces the `MaxPoolGrad` of tfjs-backend-wasm 4.22, which is wrong for
 * windows whose maximum is 0 or negative. For a 2x2 stride-2 VALID pool of a
 * 4x4 input whose windows are all zero (as after a ReLU) or all negative, it
 * returns 1 at element 0 and 0 elsewhere instead of 1 in each window. The
 * wasm `MaxPoolWithArgmax` returns index 0 and value 1.18e-38 (FLT_MIN) for
 * such windows, so its search starts from FLT_MIN rather than -Infinity.
 * That leaves no wasm kernel to compose this gradient from, so it runs as
 * JavaScript on views of the wasm heap, without copies.
 */
function maxPoolGradWasm({ inputs, backend, attrs }: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const dy = requireInput(tf.MaxPoolGrad, inputs, 'dy');
  const input = requireInput(tf.MaxPoolGrad, inputs, 'input');
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const wasmBackend = backend as BackendWasm;

  if (input.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(
      `MaxPoolGrad (wasm): input and dy must be float32, got ${input.dtype} and ${dy.dtype}`,
    );
  }
  const poolInfo = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  if (!tf.util.arraysEqual(dy.shape, poolInfo.outShape)) {
    throw new Error(
      `MaxPoolGrad (wasm): dy shape [${dy.shape}] does not match the pooling output ` +
        `[${poolInfo.outShape}] of input [${input.shape}]`,
    );
  }

  // makeOutput can grow the wasm memory, which detaches earlier heap views,
  // so the views are taken after it.
  const dx = wasmBackend.makeOutput(input.shape, 'float32');
  const xValues = wasmBackend.typedArrayFromHeap(input) as Float32Array;
  const dyValues = wasmBackend.typedArrayFromHeap(dy) as Float32Array;
  const dxValues = wasmBackend.typedArrayFromHeap(dx) as Float32Array;
  dxValues.fill(0);
  scatterToWindowMaxima(poolInfo, xValues, dyValues, dxValues);
  return dx;
}

/** Adds each dy element of `poolInfo`'s NHWC pooling to dx at its window's first maximum. */
function scatterToWindowMaxima(
  poolInfo: tf.backend_util.Conv2DInfo,
  xValues: Float32Array,
  dyValues: Float32Array,
  dxValues: Float32Array,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = poolInfo;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = poolInfo;
  const { top: padTop, left: padLeft } = poolInfo.padInfo;
  const maxValues = new Float32Array(channels);
  const maxIndices = new Int32Array(channels);

  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    const batchOffset = b * inHeight * inWidth * channels;
    for (let outRow = 0; outRow < outHeight; outRow++) {
      const rowStart = outRow * strideHeight - padTop;
      const rowBegin = Math.max(0, rowStart);
      const rowEnd = Math.min(inHeight, rowStart + filterHeight);
      for (let outCol = 0; outCol < outWidth; outCol++) {
        const colStart = outCol * strideWidth - padLeft;
        const colBegin = Math.max(0, colStart);
        const colEnd = Math.min(inWidth, colStart + filterWidth);

        maxValues.fill(-Infinity);
        maxIndices.fill(-1);
        for (let row = rowBegin; row < rowEnd; row++) {
          for (let col = colBegin; col < colEnd; col++) {
            const pixelOffset = batchOffset + (row * inWidth + col) * channels;
            for (let c = 0; c < channels; c++) {
              const value = xValues[pixelOffset + c];
              if (value > maxValues[c]) {
                maxValues[c] = value;
                maxIndices[c] = pixelOffset + c;
              }
            }
          }
        }

        // A window of only NaN has no maximum and, as on the cpu backend, passes no gradient.
        for (let c = 0; c < channels; c++, dyIndex++) {
          if (maxIndices[c] >= 0) {
            dxValues[maxIndices[c]] += dyValues[dyIndex];
          }
        }
      }
    }
  }
}

/** `MaxPoolGrad` for the `wasm` backend, replacing the incorrect one of tfjs-backend-wasm 4.22. */
export const maxPoolGradWasmConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGradWasm,
};
