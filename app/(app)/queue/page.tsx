/* eslint-disable @next/next/no-img-element -- images come from the session-checked image route; next/image would
   fetch them again server-side, without the user's session. */
import type { Metadata } from "next";
import Link from "next/link";
import { requirePermission } from "@/server/auth/guards";
import { can } from "@/server/auth/roles";
import { imageUrl } from "@/server/http/image-url";
import { serverApi } from "@/server/trpc/server";
import { EmptyState, PageHeader } from "../../_components/empty-state";
import { buttonClass, inputClass } from "../_clinical/field";
import { formatAge, formatDate, IMPRESSION_LABELS, PLAN_LABELS } from "../_clinical/format";
import { FLAG_KIND_LABELS, FLAG_KINDS, FlagKindBadge } from "../_review/flag-kind";
import { formatPercent } from "../_review/probability";
import { RiskScale } from "../_review/risk-scale";
import { SafetyEventsPanel } from "../_safety/safety-events-panel";
import { AWAITING_ASSESSMENT_ID, AwaitingAssessment } from "./awaiting-assessment";
import { OverdueFollowUps } from "./overdue-follow-ups";
import { isFiltered, parseQueueSearch, QUEUE_STATUS_LABELS, QUEUE_STATUSES, queueHref, type SearchParams } from "./queue-search";

export const metadata: Metadata = { title: "Queue" };

const PAGE_SIZE = 25;
const AWAITING_PAGE_SIZE = 25;

export default async function QueuePage(props: { searchParams: Promise<SearchParams> }) {
  const user = await requirePermission("clinical:read");
  const search = parseQueueSearch(await props.searchParams);
  const api = await serverApi();
  const [queue, counts, overview, options, overdue, safetyEvents, awaiting] = await Promise.all([
    api.review.queue({
      kind: search.kind,
      status: search.status,
      bodySite: search.site,
      modelVersionId: search.model,
      cursor: search.cursor,
      limit: PAGE_SIZE,
    }),
    api.review.counts(),
    api.overview.counts(),
    api.review.filterOptions(),
    api.review.overdue(),
    api.safety.events(),
    api.review.awaitingAssessment({ cursor: search.awaiting, limit: AWAITING_PAGE_SIZE }),
  ]);
  const awaitingHref = (cursor: string | undefined) => `${queueHref({ ...search, awaiting: cursor })}#${AWAITING_ASSESSMENT_ID}`;
  const totalOpen = counts.LIKELY_BENIGN + counts.POSSIBLE_MISSED_MALIGNANCY + counts.REVIEW_REQUIRED;
  const filtered = isFiltered(search);
  const kindLinkClass = (active: boolean) =>
    `block rounded-lg border px-4 py-3 text-sm hover:border-sky-400 ${active ? "border-sky-600 bg-sky-50 ring-1 ring-sky-600" : "border-slate-200 bg-white"}`;

  return (
    <>
      <PageHeader title="Review queue">
        Lesions where the model and the clinician disagree, or where the model must not be trusted alone; most urgent
        first (planned biopsies, then the highest P(malignant)).
      </PageHeader>

      <SafetyEventsPanel events={safetyEvents} canAcknowledge={can(user.role, "safety:acknowledge")} />

      <nav aria-label="Open flags by kind" className="mb-6">
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" data-testid="flag-counts">
          <li>
            <Link href={queueHref({})} aria-current={!filtered ? "page" : undefined} className={kindLinkClass(!filtered)}>
              <span className="block text-2xl font-semibold tabular-nums">{totalOpen}</span>
              All open flags
            </Link>
          </li>
          {FLAG_KINDS.map((kind) => {
            const active = search.kind === kind && search.status === "OPEN" && !search.site && !search.model;
            return (
              <li key={kind}>
                <Link href={queueHref({ kind })} aria-current={active ? "page" : undefined} className={kindLinkClass(active)}>
                  <span className="block text-2xl font-semibold tabular-nums">{counts[kind]}</span>
                  {FLAG_KIND_LABELS[kind]}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>

      <form method="get" action="/queue" role="search" aria-label="Filter the queue" className="mb-6 flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4">
        <label className="block text-sm font-medium text-slate-700">
          Kind
          <select name="kind" defaultValue={search.kind ?? ""} className={inputClass}>
            <option value="">All kinds</option>
            {FLAG_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {FLAG_KIND_LABELS[kind]}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Status
          <select name="status" defaultValue={search.status} className={inputClass}>
            {QUEUE_STATUSES.map((status) => (
              <option key={status} value={status}>
                {QUEUE_STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Body site
          <select name="site" defaultValue={search.site ?? ""} className={inputClass}>
            <option value="">All sites</option>
            {[...new Set([...options.bodySites, ...(search.site ? [search.site] : [])])].map((site) => (
              <option key={site} value={site}>
                {site}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Model version
          <select name="model" defaultValue={search.model ?? ""} className={inputClass}>
            <option value="">All versions</option>
            {options.modelVersions.map((model) => (
              <option key={model.id} value={model.id}>
                {model.version} ({model.status.toLowerCase()})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className={buttonClass}>
          Apply filters
        </button>
        {filtered ? (
          <Link href="/queue" className="px-2 py-2 text-sm text-sky-700 underline">
            Clear filters
          </Link>
        ) : null}
      </form>

      {overview.activeModel === null && overview.images > 0 && totalOpen > 0 ? (
        <p className="mb-4 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="no-active-model">
          No model is active, so new images are not being scored. An admin can promote one under Models.
        </p>
      ) : null}

      {queue.items.length === 0 ? (
        search.cursor ? (
          <EmptyState title="No more flags" action={{ href: queueHref({ ...search, cursor: undefined }), label: "Back to the first page" }}>
            This was the last page of the queue.
          </EmptyState>
        ) : filtered ? (
          <EmptyState title="No flags match these filters" action={{ href: "/queue", label: "Show all open flags" }}>
            Widen the filters: another kind, status, body site or model version.
          </EmptyState>
        ) : overview.images === 0 ? (
          <EmptyState title="No images yet" action={{ href: "/patients", label: "Go to patients" }}>
            Flags appear once lesions have dermoscopic images and a clinical assessment. Register a patient and a lesion,
            upload images on the lesion&apos;s page, or ask an admin to import a data set.
          </EmptyState>
        ) : overview.activeModel === null ? (
          <EmptyState title="No model yet">
            {overview.images} {overview.images === 1 ? "image is" : "images are"} waiting for a model: an admin can train and promote one under
            Models.
          </EmptyState>
        ) : (
          <EmptyState
            title="No open flags"
            action={awaiting.total > 0 ? { href: `#${AWAITING_ASSESSMENT_ID}`, label: "Go to the lesions awaiting assessment" } : undefined}
          >
            {awaiting.total > 0 ? (
              <span data-testid="awaiting-assessment">
                {awaiting.total} scored {awaiting.total === 1 ? "lesion awaits" : "lesions await"} a clinical assessment. A flag
                compares the model with the clinician&apos;s call, so none is raised until a clinician records one: start with the
                list below, longest waiting first.
              </span>
            ) : (
              "Every flag has been decided. New flags appear when images are scored or assessments change."
            )}
          </EmptyState>
        )
      ) : (
        <>
          {/* On a phone the table scrolls inside this box. `relative`: its screen-reader-only header text is positioned
              absolutely, and would otherwise escape the box and widen the whole page. */}
          <div className="relative overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table className="w-full text-left text-sm" data-testid="queue-table">
              <caption className="sr-only">
                {QUEUE_STATUS_LABELS[search.status]} flags{search.kind ? `: ${FLAG_KIND_LABELS[search.kind]}` : ""}, most urgent first
              </caption>
              <thead className="bg-slate-100 text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    <span className="sr-only">Image</span>
                  </th>
                  <th scope="col" className="px-3 py-2">Flag</th>
                  <th scope="col" className="px-3 py-2">P(malignant) vs threshold</th>
                  <th scope="col" className="px-3 py-2">Patient</th>
                  <th scope="col" className="px-3 py-2">Site</th>
                  <th scope="col" className="px-3 py-2">Clinician</th>
                  <th scope="col" className="px-3 py-2">Model</th>
                </tr>
              </thead>
              <tbody>
                {queue.items.map((flag) => {
                  const image = flag.lesion.images[0];
                  const { patient } = flag.lesion;
                  return (
                    <tr key={flag.id} className="border-t border-slate-100 align-top hover:bg-slate-50" data-testid="queue-row">
                      <td className="px-3 py-2">
                        {image ? (
                          <img src={imageUrl(image.id, "thumbnail")} alt="" width={64} height={64} loading="lazy" className="h-16 w-16 rounded bg-slate-100 object-cover" />
                        ) : (
                          <span className="flex h-16 w-16 items-center justify-center rounded bg-slate-100 text-xs text-slate-500">No image</span>
                        )}
                      </td>
                      <td className="px-3 py-2">
                        <FlagKindBadge kind={flag.kind} deferralSuggested={flag.deferralSuggested} />
                        {flag.biopsyPlanned ? <p className="mt-1 text-xs font-medium text-slate-700">Biopsy planned</p> : null}
                        <p className="mt-1">
                          <Link href={`/review/${flag.id}`} className="font-medium text-sky-800 underline underline-offset-2">
                            Review {patient.mrn}, {flag.lesion.bodySite}
                          </Link>
                        </p>
                      </td>
                      <td className="px-3 py-2">
                        <p className="tabular-nums">
                          <span className="font-semibold">{formatPercent(flag.pMalignant)}</span>
                          <span className="text-slate-500"> vs {formatPercent(flag.threshold)}</span>
                        </p>
                        <div className="mt-1">
                          <RiskScale pMalignant={flag.pMalignant} threshold={flag.threshold} compact />
                        </div>
                      </td>
                      <td className="px-3 py-2">
                        <span className="font-mono">{patient.mrn}</span>
                        <p className="text-xs text-slate-500">
                          {patient.name} · {formatAge(patient.birthDate)}
                        </p>
                      </td>
                      <td className="px-3 py-2">
                        {flag.lesion.bodySite}
                        <p className="text-xs text-slate-500" title="The lesion's latest image (captured, else uploaded)">
                          latest {formatDate(flag.lesion.latestImageAt)}
                        </p>
                      </td>
                      <td className="px-3 py-2">
                        {flag.assessment ? (
                          <>
                            {IMPRESSION_LABELS[flag.assessment.impression]}
                            <p className="text-xs text-slate-500">Plan: {PLAN_LABELS[flag.assessment.plan].toLowerCase()}</p>
                          </>
                        ) : (
                          "—"
                        )}
                      </td>
                      <td className="px-3 py-2 font-mono text-xs">{flag.modelVersion?.version ?? "—"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <nav aria-label="Queue pages" className="mt-3 flex gap-4 text-sm">
            {search.cursor ? (
              <Link href={queueHref({ ...search, cursor: undefined })} className="text-sky-700 underline">
                First page
              </Link>
            ) : null}
            {queue.nextCursor ? (
              <Link href={queueHref({ ...search, cursor: queue.nextCursor })} rel="next" className="text-sky-700 underline">
                Next page
              </Link>
            ) : (
              <span className="text-slate-500">End of the queue</span>
            )}
          </nav>
        </>
      )}

      {overview.activeModel !== null ? (
        <AwaitingAssessment
          page={awaiting}
          notYetScored={Math.max(0, overview.awaitingAssessment - awaiting.total)}
          onLaterPage={Boolean(search.awaiting)}
          firstPageHref={awaitingHref(undefined)}
          nextPageHref={awaiting.nextCursor ? awaitingHref(awaiting.nextCursor) : null}
        />
      ) : null}

      <OverdueFollowUps items={overdue} />
    </>
  );
}
