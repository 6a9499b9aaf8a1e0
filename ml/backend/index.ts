/** Public API of ml/backend: run-time backend selection (it registers the wasm training kernels itself). */
export { initBackend } from "./init-backend";
