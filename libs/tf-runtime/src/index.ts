export {
  backendPreference,
  initBackend,
  type BackendAttempt,
  type BackendChoice,
  type BackendName,
  type InitBackendOptions,
} from './init-backend.js';
export type { WasmBackendInfo } from './load-wasm-backend.js';
export { registerWasmGradientKernels, wasmGradientKernelConfigs } from './register-wasm-gradient-kernels.js';
