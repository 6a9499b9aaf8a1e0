/**
 * Loads Prisma's schema engine compiled to WebAssembly and starts it on a driver adapter.
 *
 * The JS glue comes from `@prisma/schema-engine-wasm` (the only published build near CLI 7.10.1). The wasm module
 * itself is, by default, the one the `prisma` 7.10.1 package ships in `build/schema_engine_bg.wasm`: it is the
 * engine of exactly the CLI's engines hash (d1b3f377...), with the same wasm-bindgen imports and exports as the npm
 * build. PRISMA_ENGINE_SHIM_WASM=npm selects the npm package's own wasm instead (engine 59be4fda...).
 *
 * We instantiate the module by hand because the package's entry uses a wasm ES-module import, which Node 20 only
 * supports behind --experimental-wasm-modules.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";

const require = createRequire(import.meta.url);

function wasmPath() {
  const npmBuild = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm")), "schema_engine_bg.wasm");
  if (process.env.PRISMA_ENGINE_SHIM_WASM === "npm") return npmBuild;
  const cliBuild = path.join(path.dirname(require.resolve("prisma/package.json")), "build", "schema_engine_bg.wasm");
  return existsSync(cliBuild) ? cliBuild : npmBuild;
}

/** Last Rust panic message; the engine reports panics through this global (see its `register_panic_hook`). */
let lastPanic;
globalThis.PRISMA_WASM_PANIC_REGISTRY = {
  set_message(message) {
    lastPanic = message;
  },
};
export const takePanicMessage = () => {
  const message = lastPanic;
  lastPanic = undefined;
  return message;
};

let loaded = false;
function load() {
  if (loaded) return glue;
  const compiled = new WebAssembly.Module(readFileSync(wasmPath()));
  const instance = new WebAssembly.Instance(compiled, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  loaded = true;
  return glue;
}

/** The engine's git hash, e.g. for `schema-engine --version`. */
export const engineVersion = () => load().version();

/**
 * @param {[string, string][] | undefined} datamodels [path, content] pairs of the Prisma schema files.
 * @param {(line: string) => void} log receives the engine's tracing output, one JSON object per line.
 * @param {object} adapterFactory a bound migration-aware driver adapter factory.
 */
export async function startWasmEngine(datamodels, log, adapterFactory) {
  return load().SchemaEngine.new({ datamodels }, log, adapterFactory);
}
