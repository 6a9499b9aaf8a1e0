import { describe, expect, it } from "vitest";
import { checkDraft, earliestFollowUpDate, EMPTY_DRAFT, hasDraft } from "./decision-draft";

const future = earliestFollowUpDate(new Date(Date.now() + 30 * 24 * 60 * 60 * 1000));

describe("checkDraft", () => {
  it("needs nothing more to proceed with the biopsy", () => {
    const check = checkDraft("f1", "PROCEED_BIOPSY", EMPTY_DRAFT);
    expect(check).toEqual({ ok: true, input: { flagId: "f1", decision: "PROCEED_BIOPSY", reason: null, note: null, followUpDate: null } });
  });

  it("sends the reviewer to the reason first, then to the follow-up date, to defer", () => {
    const nothing = checkDraft("f1", "DEFER_MONITOR", EMPTY_DRAFT);
    expect(nothing).toMatchObject({ ok: false, firstField: "reason" });
    if (!nothing.ok) expect(Object.keys(nothing.fieldErrors).sort()).toEqual(["followUpDate", "reason"]);

    const reasonOnly = checkDraft("f1", "DEFER_MONITOR", { ...EMPTY_DRAFT, reason: "Stable on dermoscopy" });
    expect(reasonOnly).toMatchObject({ ok: false, firstField: "followUpDate" });

    const past = checkDraft("f1", "DEFER_MONITOR", { ...EMPTY_DRAFT, reason: "Stable", followUpDate: "2020-01-01" });
    expect(past).toMatchObject({ ok: false, firstField: "followUpDate", fieldErrors: { followUpDate: ["The follow-up date must be in the future."] } });

    const complete = checkDraft("f1", "DEFER_MONITOR", { reason: "  Stable  ", note: " ", followUpDate: future });
    expect(complete).toEqual({ ok: true, input: { flagId: "f1", decision: "DEFER_MONITOR", reason: "Stable", note: null, followUpDate: future } });
  });

  it("needs a reason for a second read but no date", () => {
    expect(checkDraft("f1", "SECOND_READ", { ...EMPTY_DRAFT, note: "see image 2" })).toMatchObject({ ok: false, firstField: "reason" });
    expect(checkDraft("f1", "SECOND_READ", { ...EMPTY_DRAFT, reason: "Atypical network" })).toMatchObject({ ok: true });
  });
});

describe("draft helpers", () => {
  it("knows when something was typed", () => {
    expect(hasDraft(EMPTY_DRAFT)).toBe(false);
    expect(hasDraft({ ...EMPTY_DRAFT, note: "keep me" })).toBe(true);
    expect(hasDraft({ ...EMPTY_DRAFT, reason: "   " })).toBe(false);
  });

  it("offers tomorrow (UTC) as the earliest follow-up date", () => {
    expect(earliestFollowUpDate(new Date("2026-03-31T23:30:00Z"))).toBe("2026-04-01");
    expect(checkDraft("f", "DEFER_MONITOR", { ...EMPTY_DRAFT, reason: "r", followUpDate: earliestFollowUpDate() })).toMatchObject({ ok: true });
  });
});
