"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useEffectEvent, useRef, useState, useSyncExternalStore, type FormEvent, type KeyboardEvent as ReactKeyboardEvent } from "react";
import { DECISION_LABELS, REVIEW_DECISIONS } from "@/server/services/review/schemas";
import { errorText } from "../../../_trpc/error-text";
import { useTRPC } from "../../../_trpc/provider";
import { buttonClass, inputClass } from "../../_clinical/field";
import { checkDraft, earliestFollowUpDate, EMPTY_DRAFT, type DecisionDraft, type DraftField, type ReviewDecision } from "./decision-draft";
import { DecisionSummary, type RecordedReview } from "./decision-summary";
import { DECISION_KEYS, decisionKeyStep, isTypingTarget, reviewKeyAction } from "./keyboard";

export interface DecisionPanelProps {
  flagId: string;
  status: "OPEN" | "DECIDED" | "CLOSED" | "SUPERSEDED";
  review: RecordedReview | null;
  canDecide: boolean;
  /** Why this user may not decide this flag although their role can (a second read they asked for); null otherwise. */
  refusal: string | null;
  /** The next open flag in queue order: opened after a decision when the reviewer keeps "next case" on. */
  nextFlagId: string | null;
}

/** "Open the next case after a decision": on unless this browser's reviewer switched it off (localStorage). */
const AUTO_ADVANCE_KEY = "dermflag:auto-advance";
const AUTO_ADVANCE_EVENT = "dermflag:auto-advance";
function subscribeAutoAdvance(onChange: () => void) {
  window.addEventListener("storage", onChange);
  window.addEventListener(AUTO_ADVANCE_EVENT, onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(AUTO_ADVANCE_EVENT, onChange);
  };
}
function readAutoAdvance(): boolean {
  return window.localStorage.getItem(AUTO_ADVANCE_KEY) !== "off";
}
function writeAutoAdvance(on: boolean) {
  window.localStorage.setItem(AUTO_ADVANCE_KEY, on ? "on" : "off");
  window.dispatchEvent(new Event(AUTO_ADVANCE_EVENT));
}

const DECISION_STYLES: Record<ReviewDecision, string> = {
  PROCEED_BIOPSY: "border-red-300 hover:bg-red-50 aria-pressed:bg-red-100 aria-pressed:ring-red-600",
  DEFER_MONITOR: "border-emerald-300 hover:bg-emerald-50 aria-pressed:bg-emerald-100 aria-pressed:ring-emerald-600",
  SECOND_READ: "border-amber-300 hover:bg-amber-50 aria-pressed:bg-amber-100 aria-pressed:ring-amber-600",
};

/**
 * The reviewer's decision. A decision button records it at once when nothing more is needed; a key (1 / 2 / 3) asks
 * first, and the same key again records it (Escape cancels), so one stray key never decides a case. While a field is
 * still required, either moves focus to it; Enter in a field then records the chosen decision. After a decision the
 * next case in the queue opens (a per-browser setting). If another reviewer decided first, their decision is shown
 * and everything typed here stays on screen.
 */
export function DecisionPanel({ flagId, status, review, canDecide, refusal, nextFlagId }: DecisionPanelProps) {
  const trpc = useTRPC();
  const router = useRouter();
  const [chosen, setChosen] = useState<ReviewDecision | null>(null);
  const [draft, setDraft] = useState<DecisionDraft>(EMPTY_DRAFT);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<DraftField, string[]>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [recorded, setRecorded] = useState(false);
  const [awaiting, setAwaiting] = useState<ReviewDecision | null>(null);
  const autoAdvance = useSyncExternalStore(subscribeAutoAdvance, readAutoAdvance, () => true);
  const reasonRef = useRef<HTMLInputElement>(null);
  const followUpDateRef = useRef<HTMLInputElement>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const focusField = (field: DraftField) => ({ reason: reasonRef, followUpDate: followUpDateRef, note: noteRef })[field].current?.focus();

  const decide = useMutation(
    trpc.review.decide.mutationOptions({
      onSuccess: () => {
        setRecorded(true);
        setDraft(EMPTY_DRAFT);
        setChosen(null);
        setAwaiting(null);
        if (autoAdvance && nextFlagId) router.push(`/review/${nextFlagId}`);
        else router.refresh();
      },
      onError: (error) => {
        if (error.data?.code === "CONFLICT") {
          setConflict(errorText(error));
          // Show whoever decided first; the draft stays in this component's state.
          router.refresh();
          return;
        }
        const serverFields: Partial<Record<string, string[]>> = error.data?.fieldErrors ?? {};
        const ours: Partial<Record<DraftField, string[]>> = {};
        for (const field of ["reason", "followUpDate", "note"] as const) if (serverFields[field]?.length) ours[field] = serverFields[field];
        setFieldErrors(ours);
        setFormError(errorText(error));
      },
    }),
  );

  const editable = status === "OPEN" && canDecide && refusal === null && conflict === null && !recorded;

  function attempt(decision: ReviewDecision) {
    if (!editable || decide.isPending) return;
    setAwaiting(null);
    setChosen(decision);
    setFormError(null);
    const check = checkDraft(flagId, decision, draft);
    if (!check.ok) {
      setFieldErrors(check.fieldErrors);
      if (check.firstField) focusField(check.firstField);
      else setFormError(check.message);
      return;
    }
    setFieldErrors({});
    decide.mutate(check.input);
  }

  const onKeyDown = useEffectEvent((event: KeyboardEvent) => {
    const action = reviewKeyAction({
      key: event.key,
      ctrlKey: event.ctrlKey,
      metaKey: event.metaKey,
      altKey: event.altKey,
      typing: isTypingTarget(event.target instanceof HTMLElement ? event.target : null),
      dialogOpen: document.querySelector("dialog[open]") !== null,
    });
    if (!editable || decide.isPending) return;
    if (action?.type === "cancel") {
      if (awaiting) setAwaiting(null);
      return;
    }
    if (action?.type !== "choose") return;
    event.preventDefault();
    const step = decisionKeyStep(awaiting, action.decision, checkDraft(flagId, action.decision, draft).ok);
    if (step === "ask") {
      setChosen(action.decision);
      setFormError(null);
      setAwaiting(action.decision);
    } else {
      attempt(action.decision);
    }
  });

  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKeyDown(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!chosen) {
      setFormError("Choose a decision first: press 1, 2 or 3, or use the buttons above.");
      return;
    }
    attempt(chosen);
  }

  function update(field: DraftField, value: string) {
    setDraft((current) => ({ ...current, [field]: value }));
    setFieldErrors((current) => ({ ...current, [field]: undefined }));
  }

  function submitOnModifiedEnter(event: ReactKeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.currentTarget.form?.requestSubmit();
    }
  }

  const errorProps = (field: DraftField) =>
    fieldErrors[field]?.length ? { "aria-invalid": true as const, "aria-describedby": `decision-${field}-error` } : {};
  const fieldErrorText = (field: DraftField) =>
    fieldErrors[field]?.length ? (
      <p id={`decision-${field}-error`} className="mt-1 text-xs text-red-700" data-testid="field-error">
        {fieldErrors[field]!.join(" ")}
      </p>
    ) : null;
  const showForm = editable || (conflict !== null && !recorded);

  return (
    <section aria-labelledby="decision-heading" className="rounded-xl border border-slate-200 bg-white p-4" data-testid="decision-panel">
      <h2 id="decision-heading" className="mb-3 text-lg font-semibold">
        Decision
      </h2>
      {review ? <DecisionSummary review={review} /> : null}
      {recorded ? (
        <p role="status" className="mt-2 text-sm text-emerald-700">
          Decision recorded.
        </p>
      ) : null}
      {!review && status === "SUPERSEDED" ? (
        <p className="text-sm text-slate-700">Newer data replaced this flag before anyone decided it: there is nothing to decide here.</p>
      ) : null}
      {!review && status === "CLOSED" ? <p className="text-sm text-slate-700">The biopsy outcome closed this flag.</p> : null}
      {status === "OPEN" && !canDecide ? <p className="text-sm text-slate-700">Your role cannot decide flags.</p> : null}
      {status === "OPEN" && canDecide && refusal ? (
        <p className="text-sm text-slate-700" data-testid="decision-refused">
          {refusal}
        </p>
      ) : null}
      {awaiting && editable ? (
        <div className="mt-2 flex flex-wrap items-center gap-3 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm" role="status" data-testid="decision-confirm">
          <p>
            Press <kbd className="rounded border border-slate-300 bg-white px-1.5 font-mono text-xs">{DECISION_KEYS[awaiting]}</kbd> again to record “
            {DECISION_LABELS[awaiting]}”, or Esc to cancel.
          </p>
          <button type="button" onClick={() => attempt(awaiting)} className={buttonClass}>
            Record: {DECISION_LABELS[awaiting]}
          </button>
        </div>
      ) : null}

      {conflict ? (
        <div className="mt-3 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900" data-testid="decision-conflict">
          <p className="font-semibold">{conflict}</p>
          <p className="mt-1">What you typed is kept below, so you can copy it into a note elsewhere.</p>
        </div>
      ) : null}

      {showForm ? (
        <form onSubmit={onSubmit} noValidate aria-label="Record a decision" className="mt-3 space-y-3">
          <fieldset disabled={!editable || decide.isPending}>
            <legend className="sr-only">Decision</legend>
            <div className="grid gap-2 sm:grid-cols-3" role="group" aria-label="Decisions">
              {REVIEW_DECISIONS.map((decision) => (
                <button
                  key={decision}
                  type="button"
                  aria-pressed={chosen === decision}
                  aria-keyshortcuts={DECISION_KEYS[decision]}
                  onClick={() => attempt(decision)}
                  className={`flex items-center justify-between gap-2 rounded-md border px-3 py-2 text-left text-sm font-medium aria-pressed:ring-2 disabled:opacity-60 ${DECISION_STYLES[decision]}`}
                >
                  {DECISION_LABELS[decision]}
                  <kbd aria-hidden="true" className="rounded border border-slate-300 bg-white px-1.5 font-mono text-xs text-slate-600">
                    {DECISION_KEYS[decision]}
                  </kbd>
                </button>
              ))}
            </div>
          </fieldset>
          <div className="text-sm">
            <label className="block font-medium text-slate-700">
              Reason <span className="font-normal text-slate-500">(required to defer or ask a second read)</span>
              <input
                ref={reasonRef}
                type="text"
                name="reason"
                maxLength={1000}
                value={draft.reason}
                readOnly={!editable}
                onChange={(event) => update("reason", event.target.value)}
                className={inputClass}
                {...errorProps("reason")}
              />
            </label>
            {fieldErrorText("reason")}
          </div>
          <div className="text-sm">
            <label className="block font-medium text-slate-700">
              Follow-up date <span className="font-normal text-slate-500">(required to defer)</span>
              <input
                ref={followUpDateRef}
                type="date"
                name="followUpDate"
                min={earliestFollowUpDate()}
                value={draft.followUpDate}
                readOnly={!editable}
                onChange={(event) => update("followUpDate", event.target.value)}
                className={inputClass}
                {...errorProps("followUpDate")}
              />
            </label>
            {fieldErrorText("followUpDate")}
          </div>
          <div className="text-sm">
            <label className="block font-medium text-slate-700">
              Note <span className="font-normal text-slate-500">(optional; Ctrl+Enter records)</span>
              <textarea
                ref={noteRef}
                name="note"
                rows={3}
                maxLength={2000}
                value={draft.note}
                readOnly={!editable}
                onChange={(event) => update("note", event.target.value)}
                onKeyDown={submitOnModifiedEnter}
                className={inputClass}
                {...errorProps("note")}
              />
            </label>
            {fieldErrorText("note")}
          </div>
          {formError ? (
            <p className="text-sm text-red-700" data-testid="form-error">
              {formError}
            </p>
          ) : null}
          {editable ? (
            <button type="submit" disabled={decide.isPending} className={buttonClass}>
              {decide.isPending ? "Recording…" : `Record decision${chosen ? `: ${DECISION_LABELS[chosen]}` : ""}`}
            </button>
          ) : null}
          <label className="flex items-center gap-2 text-xs text-slate-600">
            <input type="checkbox" checked={autoAdvance} onChange={(event) => writeAutoAdvance(event.target.checked)} data-testid="auto-advance" />
            Open the next case after a decision
          </label>
        </form>
      ) : null}
    </section>
  );
}
