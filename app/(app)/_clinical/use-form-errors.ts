"use client";

import { useState } from "react";
import { z } from "zod";
import { errorText } from "../../_trpc/error-text";

export type FieldErrors = Partial<Record<string, string[]>>;

/** The parts of a tRPC client error the forms read (server/trpc/init.ts: readable fieldErrors on BAD_REQUEST). */
interface ServerError {
  message: string;
  data?: { code?: string; fieldErrors?: Record<string, string[] | undefined> | null } | null;
}

/**
 * Validation for the clinical forms: the SAME zod schema the server uses runs in the browser first, so most mistakes
 * are shown without a round trip; whatever the server still refuses is shown too, on the field it names where it
 * names one, otherwise above the submit button.
 */
export function useFormErrors<Schema extends z.ZodType>(schema: Schema, fields: readonly string[]) {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);

  function clear() {
    setFieldErrors({});
    setFormError(null);
  }

  /** The parsed values, or null (and the messages shown) when they are invalid. */
  function validate(values: unknown): z.output<Schema> | null {
    const result = schema.safeParse(values);
    if (result.success) {
      clear();
      return result.data;
    }
    setFieldErrors(z.flattenError(result.error).fieldErrors as FieldErrors);
    setFormError(null);
    return null;
  }

  /** `conflictField`: where a CONFLICT (e.g. "this MRN exists") belongs. */
  function showServerError(error: ServerError, conflictField?: string) {
    const serverFields = error.data?.fieldErrors ?? {};
    const known: FieldErrors = {};
    const other: string[] = [];
    for (const [field, messages] of Object.entries(serverFields)) {
      if (!messages?.length) continue;
      if (fields.includes(field)) known[field] = messages;
      else other.push(...messages);
    }
    if (error.data?.code === "CONFLICT" && conflictField) known[conflictField] = [error.message];
    setFieldErrors(known);
    setFormError(Object.keys(known).length && !other.length ? null : other.join(" ") || errorText(error));
  }

  return { fieldErrors, formError, validate, showServerError, clear };
}

/** A form value as text ("" when absent). */
export function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** Empty text means "not recorded". */
export function textOrNull(form: FormData, name: string): string | null {
  const value = text(form, name).trim();
  return value === "" ? null : value;
}
