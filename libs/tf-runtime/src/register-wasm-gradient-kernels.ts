import * as tf from '@tensorflow/tfjs';

import { conv2DBackpropFilterWasmConfig } from './kernels/conv2d-backprop-filter.js';
import { conv2DBackpropInputWasmConfig } from './kernels/conv2d-backprop-input.js';
import { maxPoolGradWasmConfig } from './kernels/max-pool-grad.js';

/**
 * Kernels that training a conv net on `@tensorflow/tfjs-backend-wasm` 4.22
 * needs beyond what the package registers. The package lacks
 * `Conv2DBackpropFilter`, its `Conv2DBackpropInput` is a plain C++ loop that
 * ran 7 times slower than this filter gradient, and its `MaxPoolGrad` returns
 * wrong gradients.
 */
export const wasmGradientKernelConfigs: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterWasmConfig,
  conv2DBackpropInputWasmConfig,
  maxPoolGradWasmConfig,
];

/**
 * Registers `wasmGradientKernelConfigs` for the `wasm` backend, replacing any
 * kernel registered under the same name. Calling it again is a no-op.
 *
 * Throws when `@tensorflow/tfjs-backend-wasm` has not been imported, because
 * importing it later would put its incorrect `MaxPoolGrad` back.
 */
export function registerWasmGradientKernels(): void {
  if (tf.findBackendFactory('wasm') == null) {
    throw new Error(
      'registerWasmGradientKernels: the wasm backend is not registered, so ' +
        "import '@tensorflow/tfjs-backend-wasm' first",
    );
  }

  for (const config of wasmGradientKernelConfigs) {
    const registered = tf.getKernel(config.kernelName, config.backendName);
    if (registered === config) {
      continue;
    }
    if (registered != null) {
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
  }
}
