import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { conv2DBackpropFilterWasmConfig } from './kernels/conv2d-backprop-filter.js';
import { maxPoolGradWasmConfig } from './kernels/max-pool-grad.js';
import { registerWasmGradientKernels, wasmGradientKernelConfigs } from './register-wasm-gradient-kernels.js';

describe('registerWasmGradientKernels', () => {
  it('rejects a missing wasm package', () => {
    expect(() => registerWasmGradientKernels()).toThrow(
      'registerWasmGradientKernels: the wasm backend is not registered',
    );
  });

  it('adds the filter gradient', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeUndefined();

    registerWasmGradientKernels();

    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBe(conv2DBackpropFilterWasmConfig);
  });

  it('replaces the stock MaxPoolGrad', () => {
    expect(tf.getKernel(tf.MaxPoolGrad, 'wasm')).toBe(maxPoolGradWasmConfig);
  });

  it('is idempotent', () => {
    registerWasmGradientKernels();

    for (const config of wasmGradientKernelConfigs) {
      expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
    }
  });
});
