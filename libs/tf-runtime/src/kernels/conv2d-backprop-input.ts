import * as tf from '@tensorflow/tfjs';

import { disposeIntermediate, requireInput, runWasmKernel } from './wasm-kernel.js';

/**
 * Computes the input gradient of a 2-D convolution (a transposed
 * convolution) on the wasm backend as a stride-1 convolution, so XNNPACK
 * does the work.
 *
 * dx[n, h, w, c] = sum over i, j, k of dy[n, p, q, k] * W[i, j, c, k], where
 * h = p*sh + i - padTop and w = q*sw + j - padLeft. Spread dy out by the
 * stride, inserting sh - 1 zero rows and sw - 1 zero columns after each
 * element. Then this sum is a stride-1 convolution of the spread dy with W
 * flipped in height and width and with its channel axes swapped.
 *
 * It replaces the `Conv2DBackpropInput` of tfjs-backend-wasm 4.22, a plain
 * C++ loop. In one training step of the net of
 * `bench/training-throughput.ts --profile` (75x75, 32 filters, batch 8, on
 * 2 cores) that loop took 556 of 995 ms while the filter gradient took 77 ms,
 * and this kernel takes about 80 ms. For stride 2, three quarters of the
 * multiplications are with the inserted zeros.
 *
 * Supports NHWC float32 input, any padding that `computeConv2DInfo` accepts
 * and any strides, with dilation 1 as in tfjs 4.22 gradients.
 */
function conv2DBackpropInputWasm({ inputs, backend, attrs }: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const dy = requireInput(tf.Conv2DBackpropInput, inputs, 'dy');
  const filter = requireInput(tf.Conv2DBackpropInput, inputs, 'filter');
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const wasmBackend = backend as tf.KernelBackend;

  if (dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropInput (wasm): dataFormat must be 'NHWC', got '${dataFormat}'`);
  }
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error(
      `Conv2DBackpropInput (wasm): dy and filter must be float32, got ${dy.dtype} and ${filter.dtype}`,
    );
  }
  const convInfo = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  if (!tf.util.arraysEqual(dy.shape, convInfo.outShape)) {
    throw new Error(
      `Conv2DBackpropInput (wasm): dy shape [${dy.shape}] does not match the convolution ` +
        `output [${convInfo.outShape}] of input [${inputShape}] and filter [${filter.shape}]`,
    );
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = convInfo;
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = convInfo;

  const spreadDy = spreadByStride(dy, strideHeight, strideWidth, wasmBackend);
  const flippedFilter = flipAndSwapChannels(filter, wasmBackend);

  // Window i of output row h reads spread row h + i - (filterHeight - 1 - padTop).
  // A negative offset becomes rows cropped from the top of the result, and
  // the bottom padding makes the result at least inHeight rows tall.
  const offsetTop = filterHeight - 1 - padInfo.top;
  const offsetLeft = filterWidth - 1 - padInfo.left;
  const padTop = Math.max(0, offsetTop);
  const padLeft = Math.max(0, offsetLeft);
  const cropTop = padTop - offsetTop;
  const cropLeft = padLeft - offsetLeft;
  const padBottom = Math.max(0, inHeight + cropTop + filterHeight - 1 - padTop - outHeight * strideHeight);
  const padRight = Math.max(0, inWidth + cropLeft + filterWidth - 1 - padLeft - outWidth * strideWidth);
  const convAttrs: tf.Conv2DAttrs = {
    strides: [1, 1],
    dilations: [1, 1],
    pad: [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ],
    dataFormat: 'NHWC',
  };
  const convolved = runWasmKernel(
    tf.Conv2D,
    { x: spreadDy, filter: flippedFilter },
    convAttrs as unknown as tf.NamedAttrMap,
    wasmBackend,
  );
  disposeIntermediate(wasmBackend, spreadDy);
  disposeIntermediate(wasmBackend, flippedFilter);

  if (tf.util.arraysEqual(convolved.shape, inputShape) && cropTop === 0 && cropLeft === 0) {
    return convolved;
  }
  const dx = runWasmKernel(
    tf.Slice,
    { x: convolved },
    { begin: [0, cropTop, cropLeft, 0], size: [batchSize, inHeight, inWidth, inChannels] },
    wasmBackend,
  );
  disposeIntermediate(wasmBackend, convolved);
  return dx;
}

/**
 * Returns dy [N, H, W, C] as [N, H*strideHeight, W*strideWidth, C] with
 * strideHeight - 1 zero rows and strideWidth - 1 zero columns after each
 * element, by padding a [N, H, 1, W, 1, C] view.
 */
function spreadByStride(
  dy: tf.TensorInfo,
  strideHeight: number,
  strideWidth: number,
  backend: tf.KernelBackend,
): tf.TensorInfo {
  const [batchSize, height, width, channels] = dy.shape;
  if (strideHeight === 1 && strideWidth === 1) {
    return runWasmKernel(tf.Reshape, { x: dy }, { shape: dy.shape }, backend);
  }

  const unitAxes = runWasmKernel(tf.Reshape, { x: dy }, { shape: [batchSize, height, 1, width, 1, channels] }, backend);
  const padded = runWasmKernel(
    tf.PadV2,
    { x: unitAxes },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, strideHeight - 1],
        [0, 0],
        [0, strideWidth - 1],
        [0, 0],
      ],
      constantValue: 0,
    },
    backend,
  );
  disposeIntermediate(backend, unitAxes);

  const spread = runWasmKernel(
    tf.Reshape,
    { x: padded },
    { shape: [batchSize, height * strideHeight, width * strideWidth, channels] },
    backend,
  );
  disposeIntermediate(backend, padded);
  return spread;
}

/** Returns filter [kh, kw, C_in, C_out] reversed in kh and kw, as [kh, kw, C_out, C_in]. */
function flipAndSwapChannels(filter: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo {
  const swapped = runWasmKernel(tf.Transpose, { x: filter }, { perm: [0, 1, 3, 2] }, backend);
  const flipped = runWasmKernel(tf.Reverse, { x: swapped }, { dims: [0, 1] }, backend);
  disposeIntermediate(backend, swapped);
  return flipped;
}

/** `Conv2DBackpropInput` for the `wasm` backend, replacing the slow one of tfjs-backend-wasm 4.22. */
export const conv2DBackpropInputWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm,
};
