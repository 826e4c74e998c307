import { createRequire } from 'node:module';

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { initBackend, type BackendChoice, type BackendName } from './init-backend.js';
import { conv2DBackpropFilterWasmConfig } from './kernels/conv2d-backprop-filter.js';
import { maxPoolGradWasmConfig } from './kernels/max-pool-grad.js';

function isResolvable(packageName: string): boolean {
  try {
    createRequire(import.meta.url).resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

// The install of the node backends downloads libtensorflow. Where that
// failed, npm dropped these optional dependencies.
const nodeBackendsAbsent = !isResolvable('@tensorflow/tfjs-node-gpu') && !isResolvable('@tensorflow/tfjs-node');

describe.skipIf(!nodeBackendsAbsent)('initBackend without tfjs-node', () => {
  let choice: BackendChoice;

  it('chooses wasm', async () => {
    choice = await initBackend({});

    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('reports why the node backends failed', () => {
    expect(choice.tried.map((attempt) => attempt.backend)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
    expect(choice.tried[0].error).toContain("Cannot find package '@tensorflow/tfjs-node-gpu'");
    expect(choice.tried[1].error).toContain("Cannot find package '@tensorflow/tfjs-node'");
    expect(choice.tried[2].error).toBeUndefined();
  });

  it('reports the wasm build and threads', () => {
    expect(choice.wasm?.simd).toBe(true);
    expect(choice.wasm?.threadsCount).toBe(1);
    expect(choice.wasm?.wasmDirectory).toMatch(/@tensorflow[/\\]tfjs-backend-wasm[/\\]dist$/);
  });

  it('registers the wasm gradient kernels', () => {
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBe(conv2DBackpropFilterWasmConfig);
    expect(tf.getKernel(tf.MaxPoolGrad, 'wasm')).toBe(maxPoolGradWasmConfig);
  });

  it('rejects a forced backend that fails to load', async () => {
    await expect(initBackend({ forced: 'tensorflow' })).rejects.toThrow(
      "initBackend: forced backend 'tensorflow' failed to load: import failed: Cannot find package '@tensorflow/tfjs-node'",
    );
  });
});

describe('initBackend forced', () => {
  it('loads cpu alone', async () => {
    const choice = await initBackend({ forced: 'cpu' });

    expect(choice).toEqual({ backend: 'cpu', tried: [{ backend: 'cpu' }] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('loads wasm alone', async () => {
    const choice = await initBackend({ forced: 'wasm' });

    expect(choice.backend).toBe('wasm');
    expect(choice.tried).toEqual([{ backend: 'wasm' }]);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown backend name', async () => {
    const forced = 'webgl' as BackendName;

    await expect(initBackend({ forced })).rejects.toThrow(
      "initBackend: forced backend 'webgl' is not one of tensorflow-gpu, tensorflow, wasm, cpu",
    );
  });
});
