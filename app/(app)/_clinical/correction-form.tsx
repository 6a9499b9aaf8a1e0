"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { errorText } from "../../_trpc/error-text";
import { buttonClass, inputClass } from "./field";

type Choices<Choice extends string> = readonly { value: Choice; label: string }[];

/**
 * A correction form's state: what it corrects (`subject`, as the labels name it: "result", "decision"), open or
 * closed, the kind of correction chosen (the first of `choices` to begin with; a retraction is "RETRACT"), and the
 * messages shown; the caller's mutations close it or show their error.
 */
export function useCorrectionState<Choice extends string>(subject: string, choices: Choices<Choice>) {
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<Choice>(choices[0]!.value);
  const [errors, setErrors] = useState<string[]>([]);
  return { subject, choices, choice, setChoice, open, setOpen, errors, setErrors, onError: (error: { message: string; data?: unknown }) => setErrors([errorText(error)!]) };
}

/**
 * The frame every correction of a signed record shares (a review decision, a biopsy result): closed, one link-styled
 * button; open, a form with the kind of correction, the fields of that kind, why it is corrected (field
 * "correctionReason"), the errors and submit/cancel. The record itself is never edited: `onSubmit` validates the form
 * and sends the caller's amend or retract mutation, returning the validation messages (empty when it was sent).
 */
export function CorrectionForm<Choice extends string>(props: {
  state: ReturnType<typeof useCorrectionState<Choice>>;
  pending: boolean;
  onSubmit: (form: FormData) => string[];
  intro?: ReactNode;
  /** The fields of the chosen kind of correction. */
  children?: ReactNode;
}) {
  const { state } = props;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    state.setErrors(props.onSubmit(new FormData(event.currentTarget)));
  }

  if (!state.open) {
    return (
      <button type="button" onClick={() => state.setOpen(true)} className="mt-3 text-sm text-sky-700 underline">
        Amend or retract this {state.subject}
      </button>
    );
  }
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label={`Correct this ${state.subject}`}
      className="mt-3 space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm"
    >
      {props.intro}
      <label className="block font-medium text-slate-700">
        Correction
        <select name="choice" value={state.choice} onChange={(event) => state.setChoice(event.target.value as Choice)} className={inputClass}>
          {state.choices.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>
      {props.children}
      <label className="block font-medium text-slate-700">
        Why correct it
        <input name="correctionReason" type="text" maxLength={500} className={inputClass} />
      </label>
      {state.errors.length ? (
        <p className="text-red-700" data-testid="form-error">
          {state.errors.join(" ")}
        </p>
      ) : null}
      <div className="flex gap-2">
        <button type="submit" disabled={props.pending} className={buttonClass}>
          {state.choice === "RETRACT" ? "Retract" : "Amend"} {state.subject}
        </button>
        <button type="button" onClick={() => state.setOpen(false)} className="rounded-md border border-slate-300 bg-white px-3 py-2">
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Sends valid values through `mutation`; returns the validation messages to show (none when it was sent). */
export function sendIfValid<T>(
  result: { success: true; data: T } | { success: false; error: { issues: { message: string }[] } },
  mutation: { mutate: (values: T) => void },
): string[] {
  if (!result.success) return result.error.issues.map((issue) => issue.message);
  mutation.mutate(result.data);
  return [];
}
