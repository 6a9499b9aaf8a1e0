import { describe, expect, it } from "vitest";
import { isFiltered, parseQueueSearch, queueHref } from "./queue-search";

describe("queue search parameters", () => {
  it("reads valid filters and a cursor, and round-trips them through the URL", () => {
    const search = parseQueueSearch({ kind: "LIKELY_BENIGN", status: "DECIDED", site: "back", model: "cmodel123", cursor: "cflag456", awaiting: "clesion789" });
    expect(search).toEqual({ kind: "LIKELY_BENIGN", status: "DECIDED", site: "back", model: "cmodel123", cursor: "cflag456", awaiting: "clesion789" });
    const href = queueHref(search);
    expect(href).toBe("/queue?kind=LIKELY_BENIGN&status=DECIDED&site=back&model=cmodel123&cursor=cflag456&awaiting=clesion789");
    expect(parseQueueSearch(Object.fromEntries(new URL(href, "http://x").searchParams))).toEqual(search);
  });

  it("drops unknown kinds and statuses, malformed ids and blanks, defaulting to the open queue", () => {
    expect(parseQueueSearch({ kind: "EVERYTHING", status: "SUPERSEDED", model: "'; drop", cursor: "a b", site: "  ", awaiting: "x/y" })).toEqual({ status: "OPEN" });
    expect(parseQueueSearch({ kind: ["REVIEW_REQUIRED", "LIKELY_BENIGN"] })).toEqual({ kind: "REVIEW_REQUIRED", status: "OPEN" });
    expect(parseQueueSearch({ site: "x".repeat(65) })).toEqual({ status: "OPEN" });
  });

  it("keeps the plain queue's URL short and says when a view is filtered", () => {
    expect(queueHref({ status: "OPEN" })).toBe("/queue");
    expect(queueHref({ site: "lower extremity" })).toBe("/queue?site=lower+extremity");
    expect(isFiltered({ status: "OPEN" })).toBe(false);
    expect(isFiltered({ status: "CLOSED" })).toBe(true);
    expect(isFiltered({ status: "OPEN", site: "face" })).toBe(true);
    expect(isFiltered({ status: "OPEN", awaiting: "clesion789" })).toBe(false);
    expect(queueHref({ awaiting: "clesion789" })).toBe("/queue?awaiting=clesion789");
  });
});
