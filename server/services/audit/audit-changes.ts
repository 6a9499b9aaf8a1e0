/**
 * An audit entry's before -> after as a list of changed fields, for people to read: an update lists only the fields
 * whose values differ, a creation lists what was created (before = null), a deletion what was removed (after = null).
 */
export interface AuditChange {
  field: string;
  before: string | null;
  after: string | null;
}

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A stored JSON value as text: strings as they are, null as null, anything else as compact JSON. */
export function formatAuditValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export function auditChanges(before: unknown, after: unknown): AuditChange[] {
  const hasBefore = before !== null && before !== undefined;
  const hasAfter = after !== null && after !== undefined;
  if (!hasBefore && !hasAfter) return [];
  if ((hasBefore && !isRecord(before)) || (hasAfter && !isRecord(after))) {
    const [b, a] = [formatAuditValue(before), formatAuditValue(after)];
    return b === a ? [] : [{ field: "value", before: b, after: a }];
  }
  const beforeRecord: JsonRecord = hasBefore ? (before as JsonRecord) : {};
  const afterRecord: JsonRecord = hasAfter ? (after as JsonRecord) : {};
  const fields = [...new Set([...Object.keys(afterRecord), ...Object.keys(beforeRecord)])];
  const changes: AuditChange[] = [];
  for (const field of fields) {
    const b = formatAuditValue(beforeRecord[field]);
    const a = formatAuditValue(afterRecord[field]);
    // A creation lists every field it set, even empty ones; an update only what changed.
    if (hasBefore && hasAfter && b === a) continue;
    changes.push({ field, before: hasBefore ? b : null, after: hasAfter ? a : null });
  }
  return changes;
}
