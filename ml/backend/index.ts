/** Public API of ml/backend: run-time backend selection and the wasm training kernels. */
export {
  BACKEND_NAMES,
  BackendUnavailableError,
  DEFAULT_ORDER,
  initBackend,
  parseBackendName,
  type BackendAttempt,
  type BackendChoice,
  type BackendName,
  type InitBackendOptions,
} from "./init-backend";
export { findWasmBinaryFolder, WASM_BINARIES } from "./wasm-binaries";
export { describeAdapter, probeWebGpuAdapter, type AdapterProbe, type WebGpuAdapterSummary } from "./webgpu-adapter";
export { registerWasmTrainingKernels, wasmTrainingKernelsRegistered, WASM_TRAINING_KERNELS } from "./wasm-gradients/register";
