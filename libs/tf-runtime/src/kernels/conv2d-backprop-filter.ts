import * as tf from '@tensorflow/tfjs';

import { disposeIntermediate, requireInput, runWasmKernel } from './wasm-kernel.js';

/**
 * Computes the filter gradient of a 2-D convolution on the wasm backend as
 * another convolution, so XNNPACK does the work.
 *
 * dW[i, j, c, k] = sum over n, p, q of xPadded[n, p*sh + i, q*sw + j, c] * dy[n, p, q, k].
 * Read the channels of x as the batch and the batch of x as the channels.
 * Then this sum is a stride-1 convolution of x as [C_in, H, W, N] with dy as
 * a filter [H_out, W_out, N, C_out], dilated by the forward stride. Its output
 * [C_in, kh, kw, C_out] is then transposed to the filter layout
 * [kh, kw, C_in, C_out].
 *
 * Supports NHWC float32 input, any padding that `computeConv2DInfo` accepts
 * (SAME, VALID, a number or explicit), any strides, and dilation 1 (the
 * kernel has no dilation attribute because tfjs 4.22 rejects gradients of
 * dilated convolutions before they reach it).
 */
function conv2DBackpropFilterWasm({ inputs, backend, attrs }: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const x = requireInput(tf.Conv2DBackpropFilter, inputs, 'x');
  const dy = requireInput(tf.Conv2DBackpropFilter, inputs, 'dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const wasmBackend = backend as tf.KernelBackend;

  if (dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter (wasm): dataFormat must be 'NHWC', got '${dataFormat}'`);
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(
      `Conv2DBackpropFilter (wasm): x and dy must be float32, got ${x.dtype} and ${dy.dtype}`,
    );
  }
  const convInfo = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const expectedDyShape = convInfo.outShape;
  if (!tf.util.arraysEqual(dy.shape, expectedDyShape)) {
    throw new Error(
      `Conv2DBackpropFilter (wasm): dy shape [${dy.shape}] does not match the ` +
        `convolution output [${expectedDyShape}] of x [${x.shape}] and filter [${filterShape}]`,
    );
  }

  // The swapped convolution reads rows up to (outHeight - 1) * strideHeight + filterHeight
  // of the padded input. Forward padding past that only adds rows the crop below
  // would discard, so the bottom and right padding are cut to what is read.
  const { padInfo, strideHeight, strideWidth, filterHeight, filterWidth } = convInfo;
  const padBottom = Math.max(
    0,
    (convInfo.outHeight - 1) * strideHeight + filterHeight - convInfo.inHeight - padInfo.top,
  );
  const padRight = Math.max(
    0,
    (convInfo.outWidth - 1) * strideWidth + filterWidth - convInfo.inWidth - padInfo.left,
  );

  const xByChannel = runWasmKernel(tf.Transpose, { x }, { perm: [3, 1, 2, 0] }, wasmBackend);
  const dyAsFilter = runWasmKernel(tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] }, wasmBackend);
  const swappedAttrs: tf.Conv2DAttrs = {
    strides: [1, 1],
    dilations: [strideHeight, strideWidth],
    pad: [
      [0, 0],
      [padInfo.top, padBottom],
      [padInfo.left, padRight],
      [0, 0],
    ],
    dataFormat: 'NHWC',
  };
  const swapped = runWasmKernel(
    tf.Conv2D,
    { x: xByChannel, filter: dyAsFilter },
    swappedAttrs as unknown as tf.NamedAttrMap,
    wasmBackend,
  );
  disposeIntermediate(wasmBackend, xByChannel);
  disposeIntermediate(wasmBackend, dyAsFilter);

  // When the forward padding ends before the last stride window of the input,
  // the swapped convolution yields more than filterHeight rows or filterWidth columns.
  let cropped = swapped;
  if (swapped.shape[1] !== filterHeight || swapped.shape[2] !== filterWidth) {
    cropped = runWasmKernel(
      tf.Slice,
      { x: swapped },
      { begin: [0, 0, 0, 0], size: [convInfo.inChannels, filterHeight, filterWidth, convInfo.outChannels] },
      wasmBackend,
    );
    disposeIntermediate(wasmBackend, swapped);
  }

  const filterGradient = runWasmKernel(tf.Transpose, { x: cropped }, { perm: [1, 2, 0, 3] }, wasmBackend);
  disposeIntermediate(wasmBackend, cropped);
  return filterGradient;
}

/** `Conv2DBackpropFilter` for the `wasm` backend, which tfjs-backend-wasm 4.22 lacks. */
export const conv2DBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm,
};
