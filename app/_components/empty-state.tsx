import Link from "next/link";
import type { ReactNode } from "react";

export function EmptyState(props: { title: string; children: ReactNode; action?: { href: string; label: string } }) {
  return (
    <section
      data-testid="empty-state"
      className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center"
    >
      <h2 className="text-lg font-semibold">{props.title}</h2>
      <div className="mx-auto mt-2 max-w-prose text-slate-600">{props.children}</div>
      {props.action ? (
        <Link
          href={props.action.href}
          className="mt-4 inline-block rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800"
        >
          {props.action.label}
        </Link>
      ) : null}
    </section>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="mb-6">
      <h1 className="text-2xl font-semibold">{title}</h1>
      {children ? <p className="mt-1 text-slate-600">{children}</p> : null}
    </header>
  );
}
