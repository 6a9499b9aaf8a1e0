import type { ReactNode } from "react";

export const inputClass =
  "mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:border-sky-600 focus:outline-none focus:ring-2 focus:ring-sky-200 aria-invalid:border-red-600";

export const buttonClass =
  "rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-700 disabled:opacity-60";

/**
 * A labelled form control with its error messages. The control is a child of the <label>, so the label names it for
 * screen readers and tests; `id` ties the error text to the control (aria-describedby on the control).
 */
export function Field(props: { label: string; id: string; errors?: string[] | undefined; hint?: string; children: ReactNode }) {
  return (
    <div className="text-sm">
      <label className="block font-medium text-slate-700">
        {props.label}
        {props.children}
      </label>
      {props.hint ? <p className="mt-1 text-xs text-slate-500">{props.hint}</p> : null}
      {props.errors?.length ? (
        <p id={`${props.id}-error`} className="mt-1 text-xs text-red-700" data-testid="field-error">
          {props.errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/** Props for a control inside Field: marks it invalid and points at its error text. */
export function invalidProps(id: string, errors: string[] | undefined) {
  return errors?.length ? { "aria-invalid": true as const, "aria-describedby": `${id}-error` } : {};
}
