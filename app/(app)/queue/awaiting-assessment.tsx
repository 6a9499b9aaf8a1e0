import Link from "next/link";
import type { AwaitingAssessmentPage } from "@/server/services/review/awaiting-assessment";
import { formatDate } from "../_clinical/format";

/** The anchor the queue's empty state points to. */
export const AWAITING_ASSESSMENT_ID = "awaiting-assessment";

/**
 * Lesions scored by the active model that no clinician has assessed: no flag can be raised for them until someone
 * records a call, so this is the work to do first on a fresh deployment. The model's score is deliberately absent.
 */
export function AwaitingAssessment(props: {
  page: AwaitingAssessmentPage;
  /** Lesions with images and no assessment that the active model has not scored yet (not listed). */
  notYetScored: number;
  onLaterPage: boolean;
  firstPageHref: string;
  nextPageHref: string | null;
}) {
  const { page } = props;
  return (
    <section id={AWAITING_ASSESSMENT_ID} aria-labelledby="awaiting-heading" className="mt-10 scroll-mt-6">
      <h2 id="awaiting-heading" className="mb-1 text-lg font-semibold">
        Awaiting clinical assessment <span className="text-sm font-normal text-slate-500" data-testid="awaiting-total">({page.total})</span>
      </h2>
      <p className="mb-1 text-sm text-slate-600">
        Lesions with scored images, no clinical assessment and no outcome, longest waiting first. A flag compares the model
        with the clinician&apos;s call, so none is raised for them until a clinician records one on the lesion&apos;s page.
      </p>
      <p className="mb-3 text-sm text-slate-600" data-testid="awaiting-unbiased">
        The model&apos;s P(malignant) is not shown here: record your own assessment first, unbiased by the model; the queue
        compares the two afterwards.
      </p>
      {props.notYetScored > 0 ? (
        <p className="mb-3 text-sm text-slate-600" data-testid="awaiting-not-scored">
          {props.notYetScored} more {props.notYetScored === 1 ? "lesion has" : "lesions have"} images not yet scored by the active
          model; {props.notYetScored === 1 ? "it appears" : "they appear"} here once scored.
        </p>
      ) : null}
      {page.items.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="awaiting-empty">
          {props.onLaterPage ? (
            <>
              No more lesions on this page.{" "}
              <Link href={props.firstPageHref} className="text-sky-700 underline">
                Back to the first page
              </Link>
            </>
          ) : (
            "No scored lesion awaits an assessment."
          )}
        </p>
      ) : (
        <>
          {/* `relative` keeps the absolutely positioned screen-reader-only "Action" header inside the scrolling box: it
              widened the whole page on a phone. */}
          <div className="relative overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table className="w-full text-left text-sm" data-testid="awaiting-table">
              <caption className="sr-only">Lesions awaiting a clinical assessment, longest waiting first</caption>
              <thead className="bg-slate-100 text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">Waiting since</th>
                  <th scope="col" className="px-3 py-2">Patient</th>
                  <th scope="col" className="px-3 py-2">Age</th>
                  <th scope="col" className="px-3 py-2">Lesion</th>
                  <th scope="col" className="px-3 py-2">Latest image</th>
                  <th scope="col" className="px-3 py-2">
                    <span className="sr-only">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((item) => (
                  <tr key={item.lesionId} className="border-t border-slate-100 align-top" data-testid="awaiting-row">
                    <td className="px-3 py-2 tabular-nums">{formatDate(item.waitingSince)}</td>
                    <td className="px-3 py-2">
                      <span className="font-mono">{item.patient.mrn}</span>
                      <p className="text-xs text-slate-500">{item.patient.name}</p>
                    </td>
                    <td className="px-3 py-2 tabular-nums">{item.patient.ageYears ?? "—"}</td>
                    <td className="px-3 py-2">
                      {item.label}
                      <p className="text-xs text-slate-500">{item.bodySite}</p>
                    </td>
                    <td className="px-3 py-2 tabular-nums">
                      {item.latestImage.capturedAt ? `captured ${formatDate(item.latestImage.capturedAt)}` : `uploaded ${formatDate(item.latestImage.uploadedAt)}`}
                      <p className="text-xs text-slate-500">
                        {item.imageCount} {item.imageCount === 1 ? "image" : "images"}
                      </p>
                    </td>
                    <td className="px-3 py-2">
                      <Link
                        href={`/lesions/${item.lesionId}`}
                        aria-label={`Record assessment: ${item.patient.mrn}, ${item.label}`}
                        className="font-medium text-sky-800 underline underline-offset-2"
                      >
                        Record assessment
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav aria-label="Awaiting assessment pages" className="mt-3 flex gap-4 text-sm">
            {props.onLaterPage ? (
              <Link href={props.firstPageHref} className="text-sky-700 underline">
                First page
              </Link>
            ) : null}
            {props.nextPageHref ? (
              <Link href={props.nextPageHref} rel="next" className="text-sky-700 underline">
                Next page
              </Link>
            ) : (
              <span className="text-slate-500">End of the list</span>
            )}
          </nav>
        </>
      )}
    </section>
  );
}
