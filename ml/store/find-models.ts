/**
 * Finding model versions in a models folder: lists version directories by their manifests (without hashing every
 * file; loading verifies), and resolves a user's path that is either one version or the folder holding several.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { MANIFEST_JSON, ManifestSchema } from "./model-files";
import { ModelStoreError } from "./store-error";

export interface ModelVersionEntry {
  version: string;
  dir: string;
  createdAt: string;
}

/** Version directories with a readable manifest, oldest first. Hidden (e.g. partial) directories are skipped. */
export function listModelVersions(modelsDir: string): ModelVersionEntry[] {
  const root = path.resolve(modelsDir);
  if (!existsSync(root)) return [];
  const entries: ModelVersionEntry[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const manifestFile = path.join(root, entry.name, MANIFEST_JSON);
    if (!existsSync(manifestFile)) continue;
    try {
      const manifest = ManifestSchema.parse(JSON.parse(readFileSync(manifestFile, "utf8")));
      entries.push({ version: manifest.version, dir: path.join(root, entry.name), createdAt: manifest.createdAt });
    } catch {
      // An unreadable manifest is reported when someone tries to load that version, not while listing.
    }
  }
  return entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.version.localeCompare(b.version));
}

/** `target` itself when it holds a manifest, else the newest version inside it. */
export function resolveModelDir(target: string): string {
  const dir = path.resolve(target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelStoreError("NOT_FOUND", dir, "model directory not found");
  if (existsSync(path.join(dir, MANIFEST_JSON))) return dir;
  const versions = listModelVersions(dir);
  const newest = versions.at(-1);
  if (newest === undefined) {
    throw new ModelStoreError("MANIFEST_MISSING", dir, "neither a saved model (no manifest.json) nor a folder containing one");
  }
  return newest.dir;
}
