import { describe, expect, it } from "vitest";
import { decisionKeyStep, isTypingTarget, reviewKeyAction, type KeyPress } from "./keyboard";

const press = (key: string, overrides: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  typing: false,
  dialogOpen: false,
  ...overrides,
});

describe("reviewKeyAction", () => {
  it("maps j / k to queue navigation and 1 / 2 / 3 to the three decisions", () => {
    expect(reviewKeyAction(press("j"))).toEqual({ type: "next" });
    expect(reviewKeyAction(press("k"))).toEqual({ type: "previous" });
    expect(reviewKeyAction(press("1"))).toEqual({ type: "choose", decision: "PROCEED_BIOPSY" });
    expect(reviewKeyAction(press("2"))).toEqual({ type: "choose", decision: "DEFER_MONITOR" });
    expect(reviewKeyAction(press("3"))).toEqual({ type: "choose", decision: "SECOND_READ" });
    expect(reviewKeyAction(press("Escape"))).toEqual({ type: "cancel" });
    expect(reviewKeyAction(press("4"))).toBeNull();
    expect(reviewKeyAction(press("J"))).toBeNull();
  });

  it("ignores keys while typing, with a modifier held, or with a dialog open", () => {
    expect(reviewKeyAction(press("2", { typing: true }))).toBeNull();
    expect(reviewKeyAction(press("j", { ctrlKey: true }))).toBeNull();
    expect(reviewKeyAction(press("1", { metaKey: true }))).toBeNull();
    expect(reviewKeyAction(press("k", { altKey: true }))).toBeNull();
    expect(reviewKeyAction(press("j", { dialogOpen: true }))).toBeNull();
  });
});

describe("decisionKeyStep", () => {
  it("never records on one key: a complete decision asks first, the same key again records, another key asks again", () => {
    expect(decisionKeyStep(null, "PROCEED_BIOPSY", true)).toBe("ask");
    expect(decisionKeyStep("PROCEED_BIOPSY", "PROCEED_BIOPSY", true)).toBe("record");
    expect(decisionKeyStep("PROCEED_BIOPSY", "SECOND_READ", true)).toBe("ask");
    expect(decisionKeyStep(null, "DEFER_MONITOR", false)).toBe("fill");
    expect(decisionKeyStep("DEFER_MONITOR", "DEFER_MONITOR", false)).toBe("fill");
  });
});

describe("isTypingTarget", () => {
  it("treats text fields, text areas, selects and editable content as typing", () => {
    expect(isTypingTarget({ tagName: "TEXTAREA" })).toBe(true);
    expect(isTypingTarget({ tagName: "INPUT", type: "text" })).toBe(true);
    expect(isTypingTarget({ tagName: "INPUT", type: "date" })).toBe(true);
    expect(isTypingTarget({ tagName: "input" })).toBe(true);
    expect(isTypingTarget({ tagName: "SELECT" })).toBe(true);
    expect(isTypingTarget({ tagName: "DIV", isContentEditable: true })).toBe(true);
  });

  it("lets shortcuts through from buttons, checkboxes, links and the page itself", () => {
    expect(isTypingTarget({ tagName: "BUTTON" })).toBe(false);
    expect(isTypingTarget({ tagName: "INPUT", type: "checkbox" })).toBe(false);
    expect(isTypingTarget({ tagName: "A" })).toBe(false);
    expect(isTypingTarget({ tagName: "BODY", isContentEditable: false })).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
