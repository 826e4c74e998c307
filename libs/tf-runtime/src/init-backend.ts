import { describeError } from './backend-error.js';
import { loadCpuBackend } from './load-cpu-backend.js';
import { loadNodeBackend } from './load-node-backend.js';
import { loadWasmBackend, type WasmBackendInfo } from './load-wasm-backend.js';

/**
 * A TensorFlow.js backend this runtime can choose, listed fastest first.
 * `tensorflow-gpu` is `@tensorflow/tfjs-node-gpu` on a GPU. `tensorflow` is
 * libtensorflow on the CPU, from `@tensorflow/tfjs-node` or from tfjs-node-gpu
 * when it finds no GPU. `wasm` is `@tensorflow/tfjs-backend-wasm`, and `cpu`
 * is the pure JavaScript backend of `@tensorflow/tfjs`.
 */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The order in which `initBackend` tries backends when none is forced. */
export const backendPreference: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Options of `initBackend`. */
export interface InitBackendOptions {
  /** The only backend to try, and `initBackend` throws when it cannot load. Default: undefined, which tries all in order. */
  forced?: BackendName;
}

/** One backend that `initBackend` tried. */
export interface BackendAttempt {
  backend: BackendName;
  /** Reason the backend was not chosen. Absent for the chosen backend. */
  error?: string;
}

/** The backend `initBackend` chose and why the others were not. */
export interface BackendChoice {
  backend: BackendName;
  /** Every backend tried, in order, ending with the chosen one. */
  tried: BackendAttempt[];
  /** Set when `backend` is `wasm`. */
  wasm?: WasmBackendInfo;
}

/**
 * Activates the fastest backend that loads, on the `@tensorflow/tfjs`
 * instance that the whole workspace imports.
 *
 * Without `forced` it tries `backendPreference` in order and reports each
 * failure in `tried`. The `cpu` backend always loads. With `forced` it tries
 * only that backend and throws an `Error` naming it and the cause when it
 * cannot load. When wasm is chosen, the gradient kernels it lacks are
 * registered. The function neither logs nor reads the environment, so the
 * caller logs the result.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendChoice> {
  const { forced } = options;
  if (forced !== undefined && !backendPreference.includes(forced)) {
    throw new Error(
      `initBackend: forced backend '${String(forced)}' is not one of ${backendPreference.join(', ')}`,
    );
  }

  const candidates = forced === undefined ? backendPreference : [forced];
  const tried: BackendAttempt[] = [];
  for (const candidate of candidates) {
    let loaded: LoadedBackend;
    try {
      loaded = await loadBackend(candidate, forced === candidate);
    } catch (error) {
      if (forced !== undefined) {
        throw new Error(`initBackend: forced backend '${forced}' failed to load: ${describeError(error)}`, {
          cause: error,
        });
      }
      tried.push({ backend: candidate, error: describeError(error) });
      continue;
    }

    if (loaded.backend !== candidate) {
      tried.push({ backend: candidate, error: loaded.fallbackReason });
    }
    tried.push({ backend: loaded.backend });
    return { backend: loaded.backend, tried, wasm: loaded.wasm };
  }

  // Unreachable while `cpu` is last in backendPreference, because it always loads.
  throw new Error(`initBackend: no backend loaded: ${JSON.stringify(tried)}`);
}

interface LoadedBackend {
  backend: BackendName;
  /** Reason the chosen backend differs from the requested one. */
  fallbackReason?: string;
  wasm?: WasmBackendInfo;
}

async function loadBackend(name: BackendName, isForced: boolean): Promise<LoadedBackend> {
  switch (name) {
    case 'tensorflow-gpu': {
      const { usesGpuDevice } = await loadNodeBackend('@tensorflow/tfjs-node-gpu');
      if (usesGpuDevice) {
        return { backend: 'tensorflow-gpu' };
      }
      // tfjs-node-gpu has taken the `tensorflow` backend name and loaded
      // libtensorflow, so tfjs-node can no longer load in this process.
      const reason = 'tfjs-node-gpu loaded, but libtensorflow found no GPU device';
      if (isForced) {
        throw new Error(reason);
      }
      return { backend: 'tensorflow', fallbackReason: `${reason}, so it runs on the CPU` };
    }
    case 'tensorflow':
      await loadNodeBackend('@tensorflow/tfjs-node');
      return { backend: 'tensorflow' };
    case 'wasm':
      return { backend: 'wasm', wasm: await loadWasmBackend() };
    case 'cpu':
      await loadCpuBackend();
      return { backend: 'cpu' };
  }
}
