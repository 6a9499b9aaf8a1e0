"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { patientFormSchema } from "@/server/services/clinical/schemas";
import { FITZPATRICK_LABELS, FITZPATRICK_TYPES } from "@/server/services/clinical/vocabulary";
import { useTRPC } from "../../_trpc/provider";
import { buttonClass, Field, inputClass, invalidProps } from "../_clinical/field";
import { SEX_LABELS } from "../_clinical/format";
import { text, textOrNull, useFormErrors } from "../_clinical/use-form-errors";

const FIELDS = ["mrn", "name", "birthDate", "sex", "fitzpatrickType"] as const;

export interface PatientFormValues {
  mrn: string;
  name: string;
  /** yyyy-mm-dd or "". */
  birthDate: string;
  sex: keyof typeof SEX_LABELS;
  fitzpatrickType: number | null;
}

const EMPTY: PatientFormValues = { mrn: "", name: "", birthDate: "", sex: "UNKNOWN", fitzpatrickType: null };

/** Registers a patient (no patientId) or edits one. */
export function PatientForm(props: { patientId?: string; initial?: PatientFormValues }) {
  const trpc = useTRPC();
  const router = useRouter();
  const initial = props.initial ?? EMPTY;
  const editing = props.patientId !== undefined;
  const { fieldErrors, formError, validate, showServerError } = useFormErrors(patientFormSchema, FIELDS);
  const [saved, setSaved] = useState(false);
  const create = useMutation(
    trpc.patients.create.mutationOptions({
      onSuccess: (patient) => router.push(`/patients/${patient.id}`),
      onError: (error) => showServerError(error, "mrn"),
    }),
  );
  const update = useMutation(
    trpc.patients.update.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        router.refresh();
      },
      onError: (error) => showServerError(error, "mrn"),
    }),
  );
  const pending = create.isPending || update.isPending;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const form = new FormData(event.currentTarget);
    const fitzpatrick = text(form, "fitzpatrickType");
    const patient = validate({
      mrn: text(form, "mrn"),
      name: text(form, "name"),
      birthDate: textOrNull(form, "birthDate"),
      sex: text(form, "sex"),
      fitzpatrickType: fitzpatrick === "" ? null : Number(fitzpatrick),
    });
    if (!patient) return;
    if (props.patientId) update.mutate({ patientId: props.patientId, patient });
    else create.mutate(patient);
  }

  const id = (field: string) => `patient-${field}`;
  const title = editing ? "Edit demographics" : "Patient details";
  return (
    <form onSubmit={onSubmit} noValidate aria-label={title} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5">
      <h2 className="font-semibold">{title}</h2>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="MRN" id={id("mrn")} errors={fieldErrors.mrn} hint="Medical record number: letters, digits and . _ : -">
          <input name="mrn" defaultValue={initial.mrn} autoComplete="off" className={inputClass} {...invalidProps(id("mrn"), fieldErrors.mrn)} />
        </Field>
        <Field label="Name" id={id("name")} errors={fieldErrors.name}>
          <input name="name" defaultValue={initial.name} autoComplete="off" className={inputClass} {...invalidProps(id("name"), fieldErrors.name)} />
        </Field>
        <Field label="Birth date" id={id("birthDate")} errors={fieldErrors.birthDate}>
          <input name="birthDate" type="date" defaultValue={initial.birthDate} className={inputClass} {...invalidProps(id("birthDate"), fieldErrors.birthDate)} />
        </Field>
        <Field label="Sex" id={id("sex")} errors={fieldErrors.sex}>
          <select name="sex" defaultValue={initial.sex} className={inputClass} {...invalidProps(id("sex"), fieldErrors.sex)}>
            {Object.entries(SEX_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Fitzpatrick skin type"
          id={id("fitzpatrickType")}
          errors={fieldErrors.fitzpatrickType}
          hint="Types V and VI are always sent for a dermatologist's review."
        >
          <select
            name="fitzpatrickType"
            defaultValue={initial.fitzpatrickType === null ? "" : String(initial.fitzpatrickType)}
            className={inputClass}
            {...invalidProps(id("fitzpatrickType"), fieldErrors.fitzpatrickType)}
          >
            <option value="">Not recorded</option>
            {FITZPATRICK_TYPES.map((type) => (
              <option key={type} value={type}>
                Type {FITZPATRICK_LABELS[type]}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {formError ? (
        <p className="text-sm text-red-700" data-testid="form-error">
          {formError}
        </p>
      ) : null}
      {saved ? (
        <p className="text-sm text-emerald-700" role="status">
          Saved.
        </p>
      ) : null}
      <button type="submit" disabled={pending} className={buttonClass}>
        {editing ? "Save changes" : "Register patient"}
      </button>
    </form>
  );
}
