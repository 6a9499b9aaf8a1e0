/**
 * The dashboard's choices live in the URL (?model=&from=&to=&cost=), so every view is server-rendered, bookmarkable
 * and shareable. A malformed value is dropped (and named, so the page can say so) rather than refused: a stale
 * bookmark still opens the dashboard.
 */
import { type OutcomesQuery, outcomesQueryInput } from "@/server/services/outcomes/scope";

export type SearchParams = Record<string, string | string[] | undefined>;

export interface OutcomesSearch {
  query: OutcomesQuery;
  /** Parameters that were given but could not be used. */
  ignored: string[];
}

function first(value: string | string[] | undefined): string | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text ? text : undefined;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseOutcomesSearch(params: SearchParams): OutcomesSearch {
  const ignored: string[] = [];
  const candidate: Record<string, string | number> = {};
  const model = first(params.model);
  if (model !== undefined) {
    if (ID.test(model)) candidate.modelVersionId = model;
    else ignored.push("model");
  }
  for (const key of ["from", "to"] as const) {
    const value = first(params[key]);
    if (value === undefined) continue;
    if (outcomesQueryInput.safeParse({ [key]: value }).success) candidate[key] = value;
    else ignored.push(key);
  }
  const cost = first(params.cost);
  if (cost !== undefined) {
    const value = Number(cost);
    if (outcomesQueryInput.safeParse({ costPerBiopsy: value }).success) candidate.costPerBiopsy = value;
    else ignored.push("cost");
  }
  const parsed = outcomesQueryInput.safeParse(candidate);
  if (parsed.success) return { query: parsed.data, ignored };
  // Each value was valid alone, so only the range can be wrong (from after to): keep the start.
  const { to: _to, ...withoutTo } = candidate;
  return { query: outcomesQueryInput.parse(withoutTo), ignored: [...ignored, "to"] };
}

/** A dashboard URL for these choices; absent ones are left out. */
export function outcomesHref(query: OutcomesQuery): string {
  const params = new URLSearchParams();
  if (query.modelVersionId) params.set("model", query.modelVersionId);
  if (query.from) params.set("from", query.from);
  if (query.to) params.set("to", query.to);
  if (query.costPerBiopsy !== undefined) params.set("cost", String(query.costPerBiopsy));
  const text = params.toString();
  return text ? `/outcomes?${text}` : "/outcomes";
}
