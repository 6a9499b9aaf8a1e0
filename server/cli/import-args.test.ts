import path from "node:path";
import { describe, expect, it } from "vitest";
import { DERMAMNIST_28_DIR } from "@/ml/data/shared-data";
import { ImportUsageError, parseImportArgs } from "./import-args";

describe("parseImportArgs", () => {
  it("reads kind, folder and options", () => {
    expect(parseImportArgs(["dermamnist", DERMAMNIST_28_DIR, "--limit", "50", "--concurrency", "3"])).toEqual({
      help: false,
      kind: "dermamnist",
      folder: path.resolve(DERMAMNIST_28_DIR),
      limit: 50,
      concurrency: 3,
      datasetCode: undefined,
    });
    expect(parseImportArgs(["--help"])).toEqual({ help: true });
    expect(parseImportArgs(["-h", "whatever"])).toEqual({ help: true });
  });

  it.each([
    [[], /expected a kind and a folder/],
    [["dermamnist"], /expected a kind and a folder/],
    [["pets", DERMAMNIST_28_DIR], /unknown kind "pets"/],
    [["dermamnist", "/no/such/folder"], /folder not found: \/no\/such\/folder/],
    [["dermamnist", path.join(DERMAMNIST_28_DIR, "labels.csv")], /not a folder/],
    [["dermamnist", DERMAMNIST_28_DIR, "--limit", "0"], /--limit must be a positive whole number/],
    [["dermamnist", DERMAMNIST_28_DIR, "--limit", "ten"], /--limit must be a positive whole number/],
    [["dermamnist", DERMAMNIST_28_DIR, "--dataset-code", "../x"], /--dataset-code/],
    [["dermamnist", DERMAMNIST_28_DIR, "--verbose"], /Unknown option/],
    [["dermamnist", DERMAMNIST_28_DIR, "extra"], /unexpected argument/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseImportArgs(argv)).toThrow(ImportUsageError);
    expect(() => parseImportArgs(argv)).toThrow(message);
  });
});
