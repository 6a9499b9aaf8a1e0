"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { amendOutcomeSchema, retractOutcomeSchema } from "@/server/services/clinical/correction-schemas";
import { HISTOPATHOLOGY_DIAGNOSES } from "@/server/services/clinical/vocabulary";
import { useTRPC } from "../../../_trpc/provider";
import { CorrectionForm, sendIfValid, useCorrectionState } from "../../_clinical/correction-form";
import { inputClass } from "../../_clinical/field";
import { text } from "../../_clinical/use-form-errors";

const CHOICES = [
  { value: "AMEND", label: "Amend it: enter the correct result" },
  { value: "RETRACT", label: "Retract it: it no longer counts" },
] as const;

/**
 * Correcting a recorded result (its author or an admin): amend it (a corrected result replaces it) or retract it (it
 * no longer counts). Never edited: the old result stays on the record, marked, and any safety event it raised stays.
 */
export function CorrectOutcome({ outcomeId }: { outcomeId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const state = useCorrectionState("result", CHOICES);
  const { choice } = state;
  const options = { onSuccess: () => (state.setOpen(false), router.refresh()), onError: state.onError };
  const amend = useMutation(trpc.lesions.amendOutcome.mutationOptions(options));
  const retract = useMutation(trpc.lesions.retractOutcome.mutationOptions(options));

  function onSubmit(form: FormData): string[] {
    const field = (name: string) => text(form, name).trim();
    if (choice === "RETRACT") return sendIfValid(retractOutcomeSchema.safeParse({ outcomeId, reason: field("correctionReason") }), retract);
    const outcome = { histopathologyDiagnosis: field("histopathologyDiagnosis"), reportDate: field("reportDate") };
    return sendIfValid(amendOutcomeSchema.safeParse({ outcomeId, reason: field("correctionReason"), outcome }), amend);
  }

  return (
    <CorrectionForm
      state={state}
      pending={amend.isPending || retract.isPending}
      onSubmit={onSubmit}
    >
      {choice === "AMEND" ? (
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
    </CorrectionForm>
  );
}
