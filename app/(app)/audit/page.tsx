import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { requirePermission } from "@/server/auth/guards";
import { getDb } from "@/server/db/client";
import { ACCESS_ACTION } from "@/server/services/audit/access-log";
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, type AuditSearchResult } from "@/server/services/audit/search-audit";
import { serverApi } from "@/server/trpc/server";
import { EmptyState, PageHeader } from "../../_components/empty-state";
import { buttonClass, inputClass } from "../_clinical/field";
import { formatDateTime } from "../_clinical/format";

export const metadata: Metadata = { title: "Audit log" };

const FILTERS = ["entityType", "entityId", "actorEmail", "action", "from", "to"] as const;
type Filter = (typeof FILTERS)[number];
type SearchParams = Record<string, string | string[] | undefined>;

/** The access log's questions, as links: who opened this patient's record, what this user opened. */
const accessLogOf = (filter: Record<string, string>) => `/audit?${new URLSearchParams({ action: ACCESS_ACTION, ...filter })}`;
const patientAccessLog = (patientId: string) => accessLogOf({ entityType: "Patient", entityId: patientId });

/**
 * "Who opened this patient's record", asked by MRN: posted, not put in the URL (URLs end up in proxy logs and browser
 * history, so they carry ids, never MRNs); the answer's URL names the patient by id.
 */
async function patientAccessByMrn(form: FormData) {
  "use server";
  await requirePermission("audit:read");
  const mrn = String(form.get("mrn") ?? "").trim().slice(0, 64);
  const patient = mrn ? await getDb().patient.findUnique({ where: { mrn }, select: { id: true } }) : null;
  redirect(patientAccessLog(patient?.id ?? "no-such-patient"));
}

/** Pages that show an entity, where there is one. */
const ENTITY_PAGES: Partial<Record<string, (id: string) => string>> = {
  Patient: (id) => `/patients/${id}`,
  Lesion: (id) => `/lesions/${id}`,
};

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

type Entry = AuditSearchResult["entries"][number];

const deleted = (value: string) => <del className="bg-red-50 text-red-900">{value}</del>;
const inserted = (value: string) => <ins className="bg-emerald-50 text-emerald-900 no-underline">{value}</ins>;
const empty = <span className="text-slate-400">—</span>;

/** A creation lists what was recorded, a deletion what was removed, an update each changed field as before → after. */
function Changes({ entry }: { entry: Entry }) {
  const { changes, hasBefore, hasAfter } = entry;
  if (entry.action === ACCESS_ACTION) {
    const opened = changes.find((change) => change.field === "opened")?.after ?? "the record";
    return <span>Opened the {opened}</span>;
  }
  if (changes.length === 0) return <span className="text-slate-500">No field changed</span>;
  return (
    <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 gap-y-0.5">
      {changes.map((change) => (
        <div key={change.field} className="contents">
          <dt className="font-mono text-xs text-slate-600">{change.field}</dt>
          <dd className="break-words text-xs">
            {!hasBefore ? (
              change.after === null ? empty : change.after
            ) : !hasAfter ? (
              change.before === null ? empty : deleted(change.before)
            ) : (
              <>
                {change.before === null ? empty : deleted(change.before)}
                <span aria-hidden="true" className="px-1 text-slate-400">
                  →
                </span>
                <span className="sr-only"> changed to </span>
                {change.after === null ? empty : inserted(change.after)}
              </>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export default async function AuditPage(props: { searchParams: Promise<SearchParams> }) {
  await requirePermission("audit:read");
  const params = await props.searchParams;
  const filters = Object.fromEntries(FILTERS.map((name) => [name, first(params[name]).slice(0, 320)])) as Record<Filter, string>;
  const cursor = first(params.cursor) || undefined;

  let result: AuditSearchResult | null = null;
  let problem: string | null = null;
  try {
    result = await (await serverApi()).audit.search({ ...filters, cursor, limit: 50 });
  } catch (error) {
    if (!(error instanceof TRPCError) || error.code !== "BAD_REQUEST") throw error;
    problem =
      "Check the filters: the entity type must be one from the list, a date must look like 2026-01-31, and the start date must not be after the end date.";
  }
  const query = (extra: Record<string, string>) => {
    const search = new URLSearchParams(Object.entries({ ...filters, ...extra }).filter(([, value]) => value !== ""));
    return `/audit?${search}`;
  };
  const filtered = FILTERS.some((name) => filters[name] !== "");

  return (
    <>
      <PageHeader title="Audit log">
        Who changed what, and when: every change to clinical data, users and models, every sign-in, and every opening of a patient&apos;s
        record or images, newest first.
      </PageHeader>

      <form method="get" action="/audit" aria-label="Filter the audit log" className="mb-6 grid gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-3 lg:grid-cols-6">
        <label className="block text-sm font-medium text-slate-700">
          Entity type
          <select name="entityType" defaultValue={filters.entityType} className={inputClass}>
            <option value="">Any</option>
            {AUDIT_ENTITY_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Entity id
          <input name="entityId" defaultValue={filters.entityId} className={inputClass} />
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Actor email
          <input name="actorEmail" defaultValue={filters.actorEmail} className={inputClass} />
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Action
          <select name="action" defaultValue={filters.action.toUpperCase()} className={inputClass}>
            <option value="">Any change</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {action === ACCESS_ACTION ? "view (access log)" : action.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-700">
          From
          <input name="from" type="date" defaultValue={filters.from} className={inputClass} />
        </label>
        <label className="block text-sm font-medium text-slate-700">
          To
          <input name="to" type="date" defaultValue={filters.to} className={inputClass} />
        </label>
        <div className="flex items-center gap-3 sm:col-span-3 lg:col-span-6">
          <button type="submit" className={buttonClass}>
            Search
          </button>
          {filtered ? (
            <Link href="/audit" className="text-sm text-sky-700 underline">
              Clear filters
            </Link>
          ) : null}
          <span className="text-xs text-slate-500">
            Dates are UTC days, both included. Actor email matches any part. The access log is the action &ldquo;view&rdquo; (not listed otherwise): with an actor,
            what they opened.
          </span>
        </div>
      </form>

      <form action={patientAccessByMrn} aria-label="Who opened a patient's record" className="mb-6 flex items-end gap-3 text-sm">
        <label className="block font-medium text-slate-700">
          Who opened the record of MRN
          <input name="mrn" required maxLength={64} className={inputClass} />
        </label>
        <button type="submit" className={buttonClass}>
          Show access log
        </button>
      </form>

      {problem ? (
        <p className="text-red-700" data-testid="form-error">
          {problem}
        </p>
      ) : result && result.entries.length === 0 ? (
        <EmptyState title={cursor ? "No older entries" : "No matching entries"}>
          {filtered ? "Nothing in the audit log matches these filters. Widen the dates or clear a filter." : "Nothing has been recorded yet."}
        </EmptyState>
      ) : result ? (
        <>
          <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table className="w-full text-left text-sm" data-testid="audit-table">
              <thead className="bg-slate-100 text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">When</th>
                  <th scope="col" className="px-3 py-2">Who</th>
                  <th scope="col" className="px-3 py-2">Action</th>
                  <th scope="col" className="px-3 py-2">Entity</th>
                  <th scope="col" className="w-1/2 px-3 py-2">Before → after</th>
                </tr>
              </thead>
              <tbody>
                {result.entries.map((entry) => {
                  const page = ENTITY_PAGES[entry.entityType];
                  return (
                    <tr key={entry.id} className="border-t border-slate-100 align-top" data-testid="audit-entry">
                      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(entry.at)}</td>
                      <td className="px-3 py-2">
                        {entry.actor ? (
                          <>
                            {entry.actor.name}
                            <span className="block text-xs text-slate-500">{entry.actor.email}</span>
                            <Link href={accessLogOf({ actorEmail: entry.actor.email })} prefetch={false} className="block text-xs text-sky-700 underline">
                              What they opened
                            </Link>
                          </>
                        ) : (
                          <span className="text-slate-500">System</span>
                        )}
                      </td>
                      <td className="px-3 py-2">{entry.action.toLowerCase()}</td>
                      <td className="px-3 py-2">
                        {entry.entityType}
                        <span className="block font-mono text-xs text-slate-500">
                          {page ? (
                            <Link href={page(entry.entityId)} prefetch={false} className="text-sky-700 underline">
                              {entry.entityId}
                            </Link>
                          ) : (
                            entry.entityId
                          )}
                        </span>
                        {entry.patient ? (
                          <span className="block text-xs" data-testid="audit-patient">
                            Patient MRN{" "}
                            <Link href={`/patients/${entry.patient.id}`} prefetch={false} className="font-mono text-sky-700 underline">
                              {entry.patient.mrn}
                            </Link>{" "}
                            ·{" "}
                            <Link href={patientAccessLog(entry.patient.id)} prefetch={false} className="text-sky-700 underline">
                              who opened it
                            </Link>
                          </span>
                        ) : null}
                      </td>
                      <td className="px-3 py-2">
                        <Changes entry={entry} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <nav aria-label="Pagination" className="mt-4 flex gap-3 text-sm">
            {cursor ? (
              <Link href={query({})} className="rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-100">
                Newest entries
              </Link>
            ) : null}
            {result.nextCursor ? (
              <Link href={query({ cursor: result.nextCursor })} className="rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-100">
                Older entries
              </Link>
            ) : null}
          </nav>
        </>
      ) : null}
    </>
  );
}
