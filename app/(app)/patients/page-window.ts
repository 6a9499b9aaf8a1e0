/** Page numbers around the current one, with the first and last always reachable; "gap" where pages are skipped. */
export function pageWindow(page: number, totalPages: number, radius = 2): (number | "gap")[] {
  const pages = new Set([1, totalPages]);
  for (let p = Math.max(1, page - radius); p <= Math.min(totalPages, page + radius); p++) pages.add(p);
  const sorted = [...pages].sort((a, b) => a - b);
  return sorted.flatMap((p, i) => (i > 0 && p - sorted[i - 1]! > 1 ? ["gap" as const, p] : [p]));
}
