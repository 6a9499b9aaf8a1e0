"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { DIAGNOSIS_LABELS } from "@/ml/diagnoses";
import { assessmentFormSchema } from "@/server/services/clinical/schemas";
import { SUSPECTED_DIAGNOSES } from "@/server/services/clinical/vocabulary";
import { useTRPC } from "../../../_trpc/provider";
import { buttonClass, Field, inputClass, invalidProps } from "../../_clinical/field";
import { IMPRESSION_LABELS, PLAN_LABELS } from "../../_clinical/format";
import { text, textOrNull, useFormErrors } from "../../_clinical/use-form-errors";

const FIELDS = ["impression", "suspectedDiagnosis", "plan", "note"] as const;

export function AssessmentForm({ lesionId }: { lesionId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { fieldErrors, formError, validate, showServerError } = useFormErrors(assessmentFormSchema, FIELDS);
  const [saved, setSaved] = useState(false);
  const record = useMutation(trpc.lesions.recordAssessment.mutationOptions({ onError: (error) => showServerError(error) }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const assessment = validate({
      impression: text(form, "impression"),
      suspectedDiagnosis: textOrNull(form, "suspectedDiagnosis"),
      plan: text(form, "plan"),
      note: textOrNull(form, "note"),
    });
    if (!assessment) return;
    record.mutate(
      { lesionId, assessment },
      {
        onSuccess: () => {
          formElement.reset();
          setSaved(true);
          router.refresh();
        },
      },
    );
  }

  const id = (field: string) => `assessment-${field}`;
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Record an assessment" className="space-y-3 rounded-xl border border-slate-200 bg-white p-5">
      <h3 className="font-semibold">Record an assessment</h3>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Clinical impression" id={id("impression")} errors={fieldErrors.impression}>
          <select name="impression" defaultValue="" className={inputClass} {...invalidProps(id("impression"), fieldErrors.impression)}>
            <option value="" disabled>
              Choose
            </option>
            {Object.entries(IMPRESSION_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Plan" id={id("plan")} errors={fieldErrors.plan}>
          <select name="plan" defaultValue="" className={inputClass} {...invalidProps(id("plan"), fieldErrors.plan)}>
            <option value="" disabled>
              Choose
            </option>
            {Object.entries(PLAN_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field label="Suspected diagnosis" id={id("suspectedDiagnosis")} errors={fieldErrors.suspectedDiagnosis}>
        <select name="suspectedDiagnosis" defaultValue="" className={inputClass} {...invalidProps(id("suspectedDiagnosis"), fieldErrors.suspectedDiagnosis)}>
          <option value="">None stated</option>
          {SUSPECTED_DIAGNOSES.map((code) => (
            <option key={code} value={code}>
              {DIAGNOSIS_LABELS[code]}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Note" id={id("note")} errors={fieldErrors.note}>
        <textarea name="note" rows={3} maxLength={2000} className={inputClass} {...invalidProps(id("note"), fieldErrors.note)} />
      </Field>
      {formError ? (
        <p className="text-sm text-red-700" data-testid="form-error">
          {formError}
        </p>
      ) : null}
      {saved ? (
        <p className="text-sm text-emerald-700" role="status">
          Assessment recorded.
        </p>
      ) : null}
      <button type="submit" disabled={record.isPending} className={buttonClass}>
        Record assessment
      </button>
    </form>
  );
}
