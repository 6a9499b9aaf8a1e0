/**
 * One dashboard table: a title, a caption naming the cases behind it, formatted cells, and its CSV download. No
 * hooks, so it renders on the server and inside client components (the what-if explorer) alike.
 */
import Link from "next/link";
import { CsvDownloadButton } from "./csv-download-button";
import { formatCell, isNumericColumn, type TableSpec } from "./table-spec";

export function DataTable(props: { spec: TableSpec; fileParts: readonly string[]; emptyText?: string; headingLevel?: 2 | 3 }) {
  const { spec } = props;
  const columns = spec.columns.filter((column) => !column.csvOnly);
  const Heading = props.headingLevel === 2 ? "h2" : "h3";
  return (
    <section aria-labelledby={`${spec.id}-title`} data-testid={`table-${spec.id}`} className="mt-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <Heading id={`${spec.id}-title`} className="text-base font-semibold">
          {spec.title}
        </Heading>
        <CsvDownloadButton spec={spec} fileParts={props.fileParts} />
      </div>
      <div className="mt-2 overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-left text-sm">
          <caption className="caption-bottom px-3 py-2 text-left text-xs text-slate-500">{spec.caption}</caption>
          <thead className="bg-slate-100 text-slate-600">
            <tr>
              {columns.map((column) => (
                <th key={column.key} scope="col" className={`px-3 py-2 font-medium ${isNumericColumn(column) ? "text-right" : ""}`}>
                  {column.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {spec.rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="px-3 py-3 text-slate-500">
                  {props.emptyText ?? "No cases."}
                </td>
              </tr>
            ) : (
              spec.rows.map((row, index) => (
                <tr key={index} className="border-t border-slate-100">
                  {columns.map((column) => {
                    const text = formatCell(column, row);
                    const href = column.kind === "link" ? row[`${column.key}Href`] : null;
                    return (
                      <td key={column.key} className={`px-3 py-1.5 ${isNumericColumn(column) ? "whitespace-nowrap text-right tabular-nums" : column.nowrap ? "whitespace-nowrap" : ""}`}>
                        {typeof href === "string" ? (
                          <Link href={href} className="font-mono text-sky-800 underline underline-offset-2">
                            {text}
                          </Link>
                        ) : (
                          text
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
