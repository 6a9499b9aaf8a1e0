import Link from "next/link";
import { formatDate } from "../_clinical/format";

export interface OverdueFollowUp {
  id: string;
  followUpDate: Date | null;
  reason: string | null;
  reviewer: { name: string };
  flag: { id: string; lesion: { id: string; label: string; bodySite: string; patient: { mrn: string; name: string } } };
}

/** Deferred lesions whose follow-up date has passed with no outcome recorded: the safety net of deferring a biopsy. */
export function OverdueFollowUps({ items }: { items: OverdueFollowUp[] }) {
  return (
    <section aria-labelledby="overdue-heading" className="mt-10">
      <h2 id="overdue-heading" className="mb-1 text-lg font-semibold">
        Overdue follow-ups <span className="text-sm font-normal text-slate-500">({items.length})</span>
      </h2>
      <p className="mb-3 text-sm text-slate-600">Biopsies deferred to monitoring whose follow-up date has passed without a recorded outcome.</p>
      {items.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="overdue-empty">
          No follow-up is overdue.
        </p>
      ) : (
        <div className="relative overflow-x-auto rounded-xl border border-amber-200 bg-white">
          <table className="w-full text-left text-sm" data-testid="overdue-table">
            <caption className="sr-only">Overdue follow-ups, most overdue first</caption>
            <thead className="bg-amber-50 text-slate-700">
              <tr>
                <th scope="col" className="px-3 py-2">Follow-up due</th>
                <th scope="col" className="px-3 py-2">Patient</th>
                <th scope="col" className="px-3 py-2">Lesion</th>
                <th scope="col" className="px-3 py-2">Deferred by</th>
                <th scope="col" className="px-3 py-2">Reason</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => {
                const { lesion } = item.flag;
                return (
                  <tr key={item.id} className="border-t border-slate-100 align-top">
                    <td className="px-3 py-2 font-medium tabular-nums text-amber-900">{formatDate(item.followUpDate)}</td>
                    <td className="px-3 py-2">
                      <span className="font-mono">{lesion.patient.mrn}</span>
                      <p className="text-xs text-slate-500">{lesion.patient.name}</p>
                    </td>
                    <td className="px-3 py-2">
                      <Link href={`/lesions/${lesion.id}`} className="text-sky-800 underline underline-offset-2">
                        {lesion.label}, {lesion.bodySite}
                      </Link>
                    </td>
                    <td className="px-3 py-2">{item.reviewer.name}</td>
                    <td className="px-3 py-2 text-slate-700">{item.reason ?? "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
