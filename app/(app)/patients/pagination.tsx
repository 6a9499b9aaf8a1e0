import Link from "next/link";
import { pageWindow } from "./page-window";

const linkClass = "rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-100";

/** Plain links (no client state): each page is its own server-rendered, bookmarkable URL. */
export function Pagination(props: { page: number; totalPages: number; href: (page: number) => string }) {
  const { page, totalPages, href } = props;
  if (totalPages <= 1) return null;
  return (
    <nav aria-label="Pagination" className="mt-4 flex flex-wrap items-center gap-1 text-sm">
      {page > 1 ? (
        <Link href={href(page - 1)} className={linkClass} rel="prev">
          Previous
        </Link>
      ) : null}
      {pageWindow(page, totalPages).map((p, i) =>
        p === "gap" ? (
          <span key={`gap-${i}`} className="px-2 text-slate-500">
            …
          </span>
        ) : p === page ? (
          <span key={p} aria-current="page" className="rounded-md bg-sky-700 px-3 py-1.5 font-medium text-white">
            {p}
          </span>
        ) : (
          <Link key={p} href={href(p)} className={linkClass} aria-label={`Page ${p}`}>
            {p}
          </Link>
        ),
      )}
      {page < totalPages ? (
        <Link href={href(page + 1)} className={linkClass} rel="next">
          Next
        </Link>
      ) : null}
    </nav>
  );
}
