"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { biopsyOutcomeFormSchema } from "@/server/services/clinical/schemas";
import { HISTOPATHOLOGY_DIAGNOSES } from "@/server/services/clinical/vocabulary";
import { useTRPC } from "../../../_trpc/provider";
import { buttonClass, Field, inputClass, invalidProps } from "../../_clinical/field";
import { text, useFormErrors } from "../../_clinical/use-form-errors";

const FIELDS = ["histopathologyDiagnosis", "reportDate"] as const;

/** A histopathology report: the diagnosis from the fixed list (which decides malignant or benign) and its date. */
export function BiopsyOutcomeForm({ lesionId }: { lesionId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { fieldErrors, formError, validate, showServerError } = useFormErrors(biopsyOutcomeFormSchema, FIELDS);
  const [saved, setSaved] = useState(false);
  const record = useMutation(trpc.lesions.recordBiopsyOutcome.mutationOptions({ onError: (error) => showServerError(error) }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const outcome = validate({ histopathologyDiagnosis: text(form, "histopathologyDiagnosis"), reportDate: text(form, "reportDate") });
    if (!outcome) return;
    record.mutate(
      { lesionId, outcome },
      {
        onSuccess: () => {
          formElement.reset();
          setSaved(true);
          router.refresh();
        },
      },
    );
  }

  const id = (field: string) => `outcome-${field}`;
  const group = (malignant: boolean) =>
    HISTOPATHOLOGY_DIAGNOSES.filter((d) => d.malignant === malignant).map((d) => (
      <option key={d.code} value={d.code}>
        {d.label}
      </option>
    ));
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Record a histopathology result" className="space-y-3 rounded-xl border border-slate-200 bg-white p-5">
      <h3 className="font-semibold">Record a histopathology result</h3>
      <Field label="Histopathology diagnosis" id={id("histopathologyDiagnosis")} errors={fieldErrors.histopathologyDiagnosis}>
        <select
          name="histopathologyDiagnosis"
          defaultValue=""
          className={inputClass}
          {...invalidProps(id("histopathologyDiagnosis"), fieldErrors.histopathologyDiagnosis)}
        >
          <option value="" disabled>
            Choose the reported diagnosis
          </option>
          <optgroup label="Malignant">{group(true)}</optgroup>
          <optgroup label="Benign">{group(false)}</optgroup>
        </select>
      </Field>
      <Field label="Report date" id={id("reportDate")} errors={fieldErrors.reportDate}>
        <input name="reportDate" type="date" className={inputClass} {...invalidProps(id("reportDate"), fieldErrors.reportDate)} />
      </Field>
      {formError ? (
        <p className="text-sm text-red-700" data-testid="form-error">
          {formError}
        </p>
      ) : null}
      {saved ? (
        <p className="text-sm text-emerald-700" role="status">
          Result recorded.
        </p>
      ) : null}
      <button type="submit" disabled={record.isPending} className={buttonClass}>
        Record result
      </button>
    </form>
  );
}
