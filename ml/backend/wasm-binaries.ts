/**
 * Where tfjs-backend-wasm's .wasm binaries live on disk. The package's Node bundle finds them next to itself, but
 * once bundled (e.g. by Next.js for a server route) "next to itself" is the bundle's folder, so the path is resolved
 * from node_modules explicitly and handed to setWasmPaths.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const WASM_BINARIES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"] as const;

/** The folder (with trailing slash) holding all three binaries, or null when the package cannot be found. */
export function findWasmBinaryFolder(fromUrl: string = import.meta.url): string | null {
  let packageJson: string;
  try {
    packageJson = createRequire(fromUrl).resolve("@tensorflow/tfjs-backend-wasm/package.json");
  } catch {
    return null;
  }
  for (const sub of ["dist", "wasm-out"]) {
    // Looked up at run time in node_modules; the ignore comments keep Next.js's build from tracing the whole project.
    const folder = join(/* turbopackIgnore: true */ dirname(packageJson), sub);
    if (WASM_BINARIES.every((file) => existsSync(/* turbopackIgnore: true */ join(/* turbopackIgnore: true */ folder, file)))) return `${folder}/`;
  }
  return null;
}
