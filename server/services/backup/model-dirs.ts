/**
 * The model store's part of a backup. ModelVersion rows point at absolute directories (storagePath), which do not
 * exist on another machine or under another MODEL_STORE_DIR; so each registered version's directory is backed up,
 * and a restore writes it to the target's MODEL_STORE_DIR/<version> and points the row there. A model directory is
 * verified with ml/store's own check (every file against its manifest) and pinned by ModelVersion.sha256, the SHA-256
 * of that manifest, both when it is backed up and when it is restored.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, copyFile, rm } from "node:fs/promises";
import path from "node:path";
import { writeDirectoryAtomically } from "@/ml/store/atomic-directory";
import { MANIFEST_JSON } from "@/ml/store/model-files";
import { readModelDirectory, type VerifiedModel } from "@/ml/store/read-model";
import { ModelStoreError } from "@/ml/store/store-error";
import { BackupError } from "./backup-error";
import { fsyncPath } from "./backup-files";
import { modelFolder, type BackupModel } from "./backup-manifest";

export interface ModelRow {
  version: string;
  storagePath: string;
  sha256: string;
}

function describe(error: unknown): string {
  return error instanceof ModelStoreError || error instanceof Error ? error.message : String(error);
}

/** readModelDirectory, checked against the SHA-256 the registry (or the backup manifest) pins; or why not. */
function readPinnedModel(dir: string, version: string, manifestSha256: string): { model: VerifiedModel } | { problem: string } {
  let model: VerifiedModel;
  try {
    model = readModelDirectory(dir);
  } catch (error) {
    return { problem: describe(error) };
  }
  if (model.version !== version) return { problem: `holds version ${model.version}, not ${version}` };
  if (model.manifestSha256 !== manifestSha256) return { problem: "its manifest's SHA-256 differs from the registered one (replaced or edited)" };
  return { model };
}

function filesOf(model: VerifiedModel): string[] {
  return [...model.manifest.files.map((file) => file.path), MANIFEST_JSON];
}

export async function backupModelDirs(rows: readonly ModelRow[], workDir: string): Promise<BackupModel[]> {
  const models: BackupModel[] = [];
  for (const row of [...rows].sort((a, b) => a.version.localeCompare(b.version))) {
    const source = readPinnedModel(row.storagePath, row.version, row.sha256);
    if ("problem" in source) {
      throw new BackupError("SOURCE_INCOMPLETE", `Model version ${row.version} cannot be backed up: ${source.problem}; nothing was backed up.`);
    }
    const target = path.join(workDir, modelFolder(row.version));
    await mkdir(target, { recursive: true });
    for (const file of filesOf(source.model)) {
      await copyFile(path.join(source.model.dir, file), path.join(target, file));
      await fsyncPath(path.join(target, file));
    }
    await fsyncPath(target);
    // Checked again from the copy: what the backup holds is what the registry pinned.
    const copy = readPinnedModel(target, row.version, row.sha256);
    if ("problem" in copy) throw new BackupError("SOURCE_INCOMPLETE", `Model version ${row.version} changed while it was copied: ${copy.problem}.`);
    models.push({ version: row.version, manifestSha256: row.sha256 });
  }
  return models;
}

export function verifyBackedUpModels(backupDir: string, models: readonly BackupModel[]): void {
  for (const entry of models) {
    const result = readPinnedModel(path.join(backupDir, modelFolder(entry.version)), entry.version, entry.manifestSha256);
    if ("problem" in result) throw new BackupError("CORRUPTED", `Model ${modelFolder(entry.version)} in the backup is damaged: ${result.problem}.`);
  }
}

/** Where each version goes in the target store, and whether an identical copy is already there (then it is reused). */
export function planModelRestore(modelStoreDir: string, models: readonly BackupModel[]): { version: string; dir: string; present: boolean }[] {
  return models.map((entry) => {
    const dir = path.resolve(modelStoreDir, entry.version);
    if (!existsSync(dir)) return { version: entry.version, dir, present: false };
    const existing = readPinnedModel(dir, entry.version, entry.manifestSha256);
    if ("problem" in existing) {
      throw new BackupError("MODEL_CONFLICT", `The model store already has ${dir}, and it is not the backed-up model version ${entry.version} (${existing.problem}).`);
    }
    return { version: entry.version, dir, present: true };
  });
}

/** Writes the planned model directories atomically (ml/store's writer) and verifies each; `created` collects them. */
export function restoreModelDirs(
  backupDir: string,
  models: readonly BackupModel[],
  plan: readonly { version: string; dir: string; present: boolean }[],
  created: string[],
): void {
  for (const entry of models) {
    const target = plan.find((item) => item.version === entry.version)!;
    if (target.present) continue;
    const source = readPinnedModel(path.join(backupDir, modelFolder(entry.version)), entry.version, entry.manifestSha256);
    if ("problem" in source) throw new BackupError("CORRUPTED", `Model ${modelFolder(entry.version)} in the backup is damaged: ${source.problem}.`);
    const files = filesOf(source.model).map((name) => ({ name, data: readFileSync(path.join(source.model.dir, name)) }));
    writeDirectoryAtomically(target.dir, files);
    created.push(target.dir);
    const written = readPinnedModel(target.dir, entry.version, entry.manifestSha256);
    if ("problem" in written) throw new BackupError("CORRUPTED", `Model version ${entry.version} did not verify after it was written: ${written.problem}.`);
  }
}

export async function removeDirs(dirs: readonly string[]): Promise<void> {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }).catch(() => undefined)));
}
