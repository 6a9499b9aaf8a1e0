/**
 * The review page's shortcuts: j / k = next / previous flag in queue order, 1 / 2 / 3 = the three decisions (the same
 * key again confirms one, Escape cancels: a single stray key never records a decision). Keys
 * are ignored while the reviewer types in a field, with a modifier held (browser and OS shortcuts), and while a
 * dialog is open (the zoom view has its own controls).
 */
import type { ReviewDecision } from "./decision-draft";

export type ReviewKeyAction = { type: "next" } | { type: "previous" } | { type: "cancel" } | { type: "choose"; decision: ReviewDecision };

export const DECISION_KEYS: Record<ReviewDecision, string> = { PROCEED_BIOPSY: "1", DEFER_MONITOR: "2", SECOND_READ: "3" };

export const KEYBOARD_HELP: readonly { keys: string; action: string }[] = [
  { keys: "j", action: "Next flag in the queue" },
  { keys: "k", action: "Previous flag in the queue" },
  { keys: "1", action: "Proceed with biopsy (press 1 again to confirm)" },
  { keys: "2", action: "Defer and monitor (reason and follow-up date needed; 2 again confirms)" },
  { keys: "3", action: "Ask for a second read (reason needed; 3 again confirms)" },
  { keys: "Esc", action: "Cancel a decision waiting for confirmation" },
  { keys: "Enter", action: "In the reason or date field: record the chosen decision" },
];

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** Whether focus is in something that takes text (see isTypingTarget). */
  typing: boolean;
  dialogOpen: boolean;
}

export function reviewKeyAction(press: KeyPress): ReviewKeyAction | null {
  if (press.typing || press.dialogOpen || press.ctrlKey || press.metaKey || press.altKey) return null;
  switch (press.key) {
    case "j":
      return { type: "next" };
    case "k":
      return { type: "previous" };
    case "1":
      return { type: "choose", decision: "PROCEED_BIOPSY" };
    case "2":
      return { type: "choose", decision: "DEFER_MONITOR" };
    case "3":
      return { type: "choose", decision: "SECOND_READ" };
    case "Escape":
      return { type: "cancel" };
    default:
      return null;
  }
}

const NON_TEXT_INPUTS = new Set(["button", "checkbox", "radio", "submit", "reset", "image", "file", "color"]);

/** Elements where a letter or digit is text: text inputs, text areas, selects (type-to-select) and editable content. */
export function isTypingTarget(target: { tagName?: string; isContentEditable?: boolean; type?: string } | null): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName?.toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return !NON_TEXT_INPUTS.has((target.type ?? "text").toLowerCase());
  return false;
}

/**
 * What a decision key does (1 / 2 / 3): while the decision still needs a field, focus goes there ("fill"); once
 * complete, the first press asks for confirmation ("ask") and the same key again records it ("record"). A different
 * decision key asks about that one instead.
 */
export function decisionKeyStep(awaiting: ReviewDecision | null, pressed: ReviewDecision, complete: boolean): "fill" | "ask" | "record" {
  if (!complete) return "fill";
  return awaiting === pressed ? "record" : "ask";
}
