"use client";

/**
 * Downloads a table's rows as CSV, built in the browser from data the page already holds: nothing is fetched, so
 * the export shows exactly what the signed-in user was shown.
 */
import { csvFileName } from "./csv";
import { tableCsv, type TableSpec } from "./table-spec";

export function CsvDownloadButton({ spec, fileParts }: { spec: TableSpec; fileParts: readonly string[] }) {
  function download() {
    // A byte-order mark so spreadsheet programs read the file as UTF-8 (en dashes, accented names).
    const blob = new Blob(["\uFEFF", tableCsv(spec)], { type: "text/csv;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = csvFileName("outcomes", spec.id, ...fileParts);
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
  }
  return (
    <button
      type="button"
      onClick={download}
      aria-label={`Download CSV: ${spec.title}`}
      disabled={spec.rows.length === 0}
      className="rounded-md border border-slate-300 bg-white px-3 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100 disabled:opacity-50"
    >
      Download CSV
    </button>
  );
}
