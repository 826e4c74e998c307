import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { describeError } from './backend-error.js';
import { registerWasmGradientKernels } from './register-wasm-gradient-kernels.js';

/** Build and threading of the loaded wasm backend. */
export interface WasmBackendInfo {
  /** True when the SIMD build of the backend was loaded. */
  simd: boolean;
  /**
   * XNNPACK threads. tfjs-backend-wasm 4.22 never loads its threaded build in
   * Node, so this is 1 there.
   */
  threadsCount: number;
  /** Folder the .wasm binaries are loaded from. */
  wasmDirectory: string;
}

const simdBinaryName = 'tfjs-backend-wasm-simd.wasm';
const plainBinaryName = 'tfjs-backend-wasm.wasm';

/**
 * Imports `@tensorflow/tfjs-backend-wasm`, points it at the .wasm binaries of
 * its own package, makes `wasm` the active backend and registers the gradient
 * kernels it lacks.
 *
 * The package finds its binaries next to its own script by default. Setting
 * the folder explicitly keeps that working when the script is bundled
 * elsewhere. The package picks the SIMD binary itself when WebAssembly SIMD
 * validates, as it does in Node 20.
 */
export async function loadWasmBackend(): Promise<WasmBackendInfo> {
  let wasmPackage: typeof import('@tensorflow/tfjs-backend-wasm');
  let wasmDirectory: string;
  try {
    wasmPackage = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasmDirectory = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  } catch (error) {
    throw new Error(`import failed: ${describeError(error)}`, { cause: error });
  }

  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const binaryPath = join(wasmDirectory, simd ? simdBinaryName : plainBinaryName);
  if (!existsSync(binaryPath)) {
    throw new Error(`the wasm binary ${binaryPath} is missing, so reinstall @tensorflow/tfjs-backend-wasm`);
  }
  if (tf.findBackend('wasm') == null) {
    wasmPackage.setWasmPaths(`${wasmDirectory}/`);
  }

  if (!(await tf.setBackend('wasm'))) {
    throw new Error("tf.setBackend('wasm') returned false (tfjs logged the cause as a warning)");
  }
  if (!(tf.backend() instanceof tf.KernelBackend)) {
    throw new Error(
      '@tensorflow/tfjs-backend-wasm uses a second copy of @tensorflow/tfjs-core, so ' +
        'deduplicate @tensorflow/tfjs so that every package resolves the same one',
    );
  }
  registerWasmGradientKernels();

  return { simd, threadsCount: wasmPackage.getThreadsCount(), wasmDirectory };
}
