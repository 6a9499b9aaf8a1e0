/**
 * The queue's filters and page live in the URL (?kind=&status=&site=&model=&cursor=, and &awaiting= for the page of
 * lesions awaiting an assessment), so every view is
 * server-rendered, bookmarkable and shareable. Unknown or malformed values are dropped rather than refused: a stale
 * bookmark still opens the queue.
 */
import { FLAG_KINDS, type FlagKind } from "../_review/flag-kind";

export const QUEUE_STATUSES = ["OPEN", "DECIDED", "CLOSED"] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];
export const QUEUE_STATUS_LABELS: Record<QueueStatus, string> = { OPEN: "Open", DECIDED: "Decided", CLOSED: "Closed (outcome recorded)" };

export interface QueueSearch {
  kind?: FlagKind;
  status: QueueStatus;
  site?: string;
  model?: string;
  cursor?: string;
  /** Cursor of the "Awaiting clinical assessment" list (a lesion id); it pages independently of the flags. */
  awaiting?: string;
}

export type SearchParams = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text ? text : undefined;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseQueueSearch(params: SearchParams): QueueSearch {
  const kind = first(params.kind);
  const status = first(params.status);
  const site = first(params.site);
  const model = first(params.model);
  const cursor = first(params.cursor);
  const awaiting = first(params.awaiting);
  return {
    ...(kind && (FLAG_KINDS as readonly string[]).includes(kind) ? { kind: kind as FlagKind } : {}),
    status: status && (QUEUE_STATUSES as readonly string[]).includes(status) ? (status as QueueStatus) : "OPEN",
    ...(site && site.length <= 64 ? { site } : {}),
    ...(model && ID.test(model) ? { model } : {}),
    ...(cursor && ID.test(cursor) ? { cursor } : {}),
    ...(awaiting && ID.test(awaiting) ? { awaiting } : {}),
  };
}

/** A queue URL for these filters; the default status (open) is left out so the plain queue stays "/queue". */
export function queueHref(search: Partial<QueueSearch>): string {
  const params = new URLSearchParams();
  if (search.kind) params.set("kind", search.kind);
  if (search.status && search.status !== "OPEN") params.set("status", search.status);
  if (search.site) params.set("site", search.site);
  if (search.model) params.set("model", search.model);
  if (search.cursor) params.set("cursor", search.cursor);
  if (search.awaiting) params.set("awaiting", search.awaiting);
  const query = params.toString();
  return query ? `/queue?${query}` : "/queue";
}

/** Whether anything narrows the default view (all open flags); paging either list is not a filter. */
export function isFiltered(search: QueueSearch): boolean {
  return Boolean(search.kind || search.site || search.model || search.status !== "OPEN");
}
