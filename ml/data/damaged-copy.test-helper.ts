/**
 * Test helper: a temporary dataset folder whose CSV is a (possibly damaged) copy of a real one and whose image
 * folders are symlinks to the real ones, so tests can break metadata without copying thousands of images.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface DamagedCopy {
  root: string;
  csvPath: string;
  remove: () => void;
}

/** Lines of a CSV as an array (header first), without the trailing empty line. */
export function csvLines(file: string): string[] {
  return readFileSync(file, "utf8").replace(/\n$/, "").split("\n");
}

export function damagedCopy(
  sourceRoot: string,
  csvName: string,
  damage: (lines: string[]) => string[],
  linkedFolders: readonly string[],
): DamagedCopy {
  const root = mkdtempSync(path.join(tmpdir(), "dermflag-data-"));
  for (const folder of linkedFolders) symlinkSync(path.join(sourceRoot, folder), path.join(root, folder));
  const csvPath = path.join(root, csvName);
  writeFileSync(csvPath, damage(csvLines(path.join(sourceRoot, csvName))).join("\n") + "\n");
  return { root, csvPath, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Replaces one cell of a simple (unquoted) CSV line. */
export function setCell(lines: string[], lineNumber: number, column: string, value: string): string[] {
  const header = (lines[0] ?? "").split(",");
  const col = header.indexOf(column);
  if (col < 0) throw new Error(`no column ${column}`);
  return lines.map((line, i) => {
    if (i !== lineNumber - 1) return line;
    const cells = line.split(",");
    cells[col] = value;
    return cells.join(",");
  });
}

/** Drops one column from a simple (unquoted) CSV. */
export function dropColumn(lines: string[], column: string): string[] {
  const col = (lines[0] ?? "").split(",").indexOf(column);
  if (col < 0) throw new Error(`no column ${column}`);
  return lines.map((line) => line.split(",").filter((_, i) => i !== col).join(","));
}
