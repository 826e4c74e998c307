import * as tf from '@tensorflow/tfjs';

/**
 * Runs the kernel that `@tensorflow/tfjs-backend-wasm` registered under
 * `kernelName` on `backend`, bypassing the engine, and returns all its outputs.
 *
 * The outputs are backend-level `TensorInfo`s that the engine does not track,
 * so the caller must release each with `disposeIntermediate` unless it returns
 * it as its own kernel output.
 */
export function runWasmKernelOutputs(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  backend: tf.KernelBackend,
): tf.TensorInfo[] {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel == null) {
    throw new Error(
      `${kernelName}: the wasm backend has no kernel of this name, so ` +
        'import @tensorflow/tfjs-backend-wasm before registering the gradient kernels',
    );
  }

  const output = kernel.kernelFunc({ inputs, attrs, backend });
  return Array.isArray(output) ? output : [output];
}

/** Runs a single-output wasm kernel. The caller owns the result as with `runWasmKernelOutputs`. */
export function runWasmKernel(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  backend: tf.KernelBackend,
): tf.TensorInfo {
  const outputs = runWasmKernelOutputs(kernelName, inputs, attrs, backend);
  if (outputs.length !== 1) {
    outputs.forEach((output) => disposeIntermediate(backend, output));
    throw new Error(`${kernelName}: expected 1 output from the wasm kernel, got ${outputs.length}`);
  }
  return outputs[0];
}

/** Releases the backend memory of a `TensorInfo` made by `runWasmKernel` or `runWasmKernelOutputs`. */
export function disposeIntermediate(backend: tf.KernelBackend, tensorInfo: tf.TensorInfo): void {
  backend.disposeData(tensorInfo.dataId);
}

/** Returns input `name` of a kernel call, or throws naming the kernel when it is missing. */
export function requireInput(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  name: string,
): tf.TensorInfo {
  const input = inputs[name];
  if (input == null) {
    throw new Error(`${kernelName}: input '${name}' is missing`);
  }
  return input;
}
