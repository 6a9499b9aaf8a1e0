/** Command line of `server/cli/import.ts`, parsed and checked without touching the database. */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

export const IMPORT_KINDS = ["folder", "ham10000", "dermamnist"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_USAGE = `Usage: npx tsx server/cli/import.ts <kind> <folder> [options]

Imports a dermoscopy data set into DermFlag's database (DATABASE_URL) and image store (IMAGE_STORE_DIR).
Re-running adds nothing new: images already imported are skipped.

Kinds:
  folder      train|test/benign|malignant|unknown/ image folders, with an optional labels.csv
              (e.g. ../shared/data/isic2019-180)
  ham10000    HAM10000_metadata.csv + images/ (e.g. ../shared/data/ham10000-sample)
  dermamnist  DermaMNIST labels.csv + images/ (e.g. ../shared/data/dermamnist-28)

Options:
  --limit N          import only the first N images
  --concurrency N    lesions processed at once (default: 4 per CPU core, at least 8)
  --dataset-code X   namespace for external ids and MRNs (defaults: folder name, HAM, DERMAMNIST)
  -h, --help         show this help`;

export type ImportArgs =
  | { help: true }
  | { help: false; kind: ImportKind; folder: string; limit?: number; concurrency?: number; datasetCode?: string };

export class ImportUsageError extends Error {
  override readonly name = "ImportUsageError";
}

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new ImportUsageError(`${name} must be a positive whole number, got "${value}"`);
  return Number(value);
}

export function parseImportArgs(argv: readonly string[]): ImportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        limit: { type: "string" },
        concurrency: { type: "string" },
        "dataset-code": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new ImportUsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help) return { help: true };
  const [kind, folder, ...extra] = parsed.positionals;
  if (!kind || !folder) throw new ImportUsageError("expected a kind and a folder");
  if (extra.length > 0) throw new ImportUsageError(`unexpected argument(s): ${extra.join(" ")}`);
  if (!(IMPORT_KINDS as readonly string[]).includes(kind)) {
    throw new ImportUsageError(`unknown kind "${kind}": expected one of ${IMPORT_KINDS.join(", ")}`);
  }
  const absolute = path.resolve(folder);
  if (!existsSync(absolute)) throw new ImportUsageError(`folder not found: ${absolute}`);
  if (!statSync(absolute).isDirectory()) throw new ImportUsageError(`not a folder: ${absolute}`);
  const datasetCode = parsed.values["dataset-code"];
  if (datasetCode !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(datasetCode)) {
    throw new ImportUsageError(`--dataset-code must be letters, digits, _ or -, got "${datasetCode}"`);
  }
  return {
    help: false,
    kind: kind as ImportKind,
    folder: absolute,
    limit: positiveInteger("--limit", parsed.values.limit),
    concurrency: positiveInteger("--concurrency", parsed.values.concurrency),
    datasetCode,
  };
}
