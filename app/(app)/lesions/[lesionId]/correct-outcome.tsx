"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { amendOutcomeSchema, retractOutcomeSchema } from "@/server/services/clinical/correction-schemas";
import { HISTOPATHOLOGY_DIAGNOSES } from "@/server/services/clinical/vocabulary";
import { useTRPC } from "../../../_trpc/provider";
import { buttonClass, inputClass } from "../../_clinical/field";

/**
 * Correcting a recorded result (its author or an admin): amend it (a corrected result replaces it) or retract it (it
 * no longer counts). Never edited: the old result stays on the record, marked, and any safety event it raised stays.
 */
export function CorrectOutcome({ outcomeId }: { outcomeId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<"RETRACT" | "AMEND">("AMEND");
  const [errors, setErrors] = useState<string[]>([]);
  const options = { onSuccess: () => (setOpen(false), router.refresh()), onError: (error: { message: string }) => setErrors([error.message]) };
  const amend = useMutation(trpc.lesions.amendOutcome.mutationOptions(options));
  const retract = useMutation(trpc.lesions.retractOutcome.mutationOptions(options));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    if (mode === "RETRACT") {
      const parsed = retractOutcomeSchema.safeParse({ outcomeId, reason: text("reason") });
      if (!parsed.success) return setErrors(parsed.error.issues.map((issue) => issue.message));
      setErrors([]);
      retract.mutate(parsed.data);
    } else {
      const parsed = amendOutcomeSchema.safeParse({
        outcomeId,
        reason: text("reason"),
        outcome: { histopathologyDiagnosis: text("histopathologyDiagnosis"), reportDate: text("reportDate") },
      });
      if (!parsed.success) return setErrors(parsed.error.issues.map((issue) => issue.message));
      setErrors([]);
      amend.mutate(parsed.data);
    }
  }

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} className="mt-1 text-xs text-sky-700 underline">
        Amend or retract this result
      </button>
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Correct this result" className="mt-2 space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm">
      <label className="block font-medium text-slate-700">
        Correction
        <select value={mode} onChange={(event) => setMode(event.target.value as "RETRACT" | "AMEND")} className={inputClass}>
          <option value="AMEND">Amend it: enter the correct result</option>
          <option value="RETRACT">Retract it: it no longer counts</option>
        </select>
      </label>
      {mode === "AMEND" ? (
        <>
          <label className="block font-medium text-slate-700">
            Correct diagnosis
            <select name="histopathologyDiagnosis" defaultValue="" className={inputClass}>
              <option value="" disabled>
                Choose the reported diagnosis
              </option>
              {HISTOPATHOLOGY_DIAGNOSES.map((d) => (
                <option key={d.code} value={d.code}>
                  {d.label} ({d.malignant ? "malignant" : "benign"})
                </option>
              ))}
            </select>
          </label>
          <label className="block font-medium text-slate-700">
            Report date
            <input name="reportDate" type="date" className={inputClass} />
          </label>
        </>
      ) : null}
      <label className="block font-medium text-slate-700">
        Why correct it
        <input name="reason" type="text" maxLength={500} className={inputClass} />
      </label>
      {errors.length ? (
        <p className="text-red-700" data-testid="form-error">
          {errors.join(" ")}
        </p>
      ) : null}
      <div className="flex gap-2">
        <button type="submit" disabled={amend.isPending || retract.isPending} className={buttonClass}>
          {mode === "RETRACT" ? "Retract result" : "Amend result"}
        </button>
        <button type="button" onClick={() => setOpen(false)} className="rounded-md border border-slate-300 bg-white px-3 py-2">
          Cancel
        </button>
      </div>
    </form>
  );
}
