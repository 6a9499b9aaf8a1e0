"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { lesionFormSchema } from "@/server/services/clinical/schemas";
import { BODY_SITES } from "@/server/services/clinical/vocabulary";
import { useTRPC } from "../../_trpc/provider";
import { buttonClass, Field, inputClass, invalidProps } from "./field";
import { text, useFormErrors } from "./use-form-errors";

const FIELDS = ["bodySite", "label"] as const;

type Target = { patientId: string; lesionId?: never } | { lesionId: string; patientId?: never };

/**
 * Adds a lesion to a patient (then opens it, where its images are uploaded), or edits a lesion's site and label.
 */
export function LesionForm(props: Target & { initial?: { bodySite: string; label: string } }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { fieldErrors, formError, validate, showServerError } = useFormErrors(lesionFormSchema, FIELDS);
  const [saved, setSaved] = useState(false);
  const add = useMutation(
    trpc.patients.addLesion.mutationOptions({
      onSuccess: (lesion) => router.push(`/lesions/${lesion.id}`),
      onError: (error) => showServerError(error),
    }),
  );
  const update = useMutation(
    trpc.lesions.update.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        router.refresh();
      },
      onError: (error) => showServerError(error),
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const form = new FormData(event.currentTarget);
    const lesion = validate({ bodySite: text(form, "bodySite"), label: text(form, "label") });
    if (!lesion) return;
    if (props.lesionId) update.mutate({ lesionId: props.lesionId, lesion });
    else if (props.patientId) add.mutate({ patientId: props.patientId, lesion });
  }

  const title = props.lesionId ? "Edit lesion" : "Add lesion";
  const id = (field: string) => `${props.lesionId ? "edit" : "add"}-lesion-${field}`;
  return (
    <form onSubmit={onSubmit} noValidate aria-label={title} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5">
      <h2 className="font-semibold">{title}</h2>
      <Field label="Body site" id={id("bodySite")} errors={fieldErrors.bodySite}>
        <select name="bodySite" defaultValue={props.initial?.bodySite ?? ""} className={inputClass} {...invalidProps(id("bodySite"), fieldErrors.bodySite)}>
          <option value="" disabled>
            Choose a body site
          </option>
          {BODY_SITES.map((site) => (
            <option key={site} value={site}>
              {site}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Lesion label" id={id("label")} errors={fieldErrors.label} hint="Where exactly, so the next clinician finds it: e.g. 'left forearm, 2 cm below elbow'.">
        <input name="label" defaultValue={props.initial?.label ?? ""} autoComplete="off" className={inputClass} {...invalidProps(id("label"), fieldErrors.label)} />
      </Field>
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
      <button type="submit" disabled={add.isPending || update.isPending} className={buttonClass}>
        {props.lesionId ? "Save lesion" : "Add lesion"}
      </button>
    </form>
  );
}
