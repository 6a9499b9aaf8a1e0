/**
 * The dashboard's choices as a plain GET form: model version, months and cost per biopsy end up in the URL, so a
 * view can be bookmarked and shared, and works without JavaScript.
 */
import Link from "next/link";
import type { OutcomesDashboard } from "@/server/services/outcomes/schemas";
import type { OutcomesQuery } from "@/server/services/outcomes/scope";
import { buttonClass, inputClass } from "../_clinical/field";
import { percent } from "./format";

export function DashboardFilters({ dashboard, query }: { dashboard: OutcomesDashboard; query: OutcomesQuery }) {
  return (
    <form
      method="get"
      action="/outcomes"
      role="search"
      aria-label="Choose what the dashboard shows"
      className="mb-6 flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4"
    >
      <label className="block text-sm font-medium text-slate-700">
        Model version
        <select name="model" defaultValue={dashboard.model?.id ?? ""} className={inputClass}>
          {dashboard.model === null ? <option value="">No active model</option> : null}
          {dashboard.modelVersions.map((version) => (
            <option key={version.id} value={version.id}>
              {version.version} ({version.status.toLowerCase()}, threshold {percent(version.threshold)})
            </option>
          ))}
        </select>
      </label>
      <label className="block text-sm font-medium text-slate-700">
        From month
        <input type="month" name="from" defaultValue={query.from ?? ""} className={inputClass} />
      </label>
      <label className="block text-sm font-medium text-slate-700">
        To month
        <input type="month" name="to" defaultValue={query.to ?? ""} className={inputClass} />
      </label>
      <label className="block text-sm font-medium text-slate-700">
        Cost per biopsy
        <input
          type="number"
          name="cost"
          min={0}
          step="any"
          defaultValue={dashboard.scope.costPerBiopsy}
          className={`${inputClass} w-32`}
          aria-describedby="cost-hint"
        />
      </label>
      <button type="submit" className={buttonClass}>
        Show
      </button>
      <Link href="/outcomes" className="px-2 py-2 text-sm text-sky-700 underline">
        Reset
      </Link>
      <p id="cost-hint" className="w-full text-xs text-slate-500">
        The cost per biopsy is in your local currency and only scales the estimated saving; months are calendar months (UTC).
      </p>
    </form>
  );
}
