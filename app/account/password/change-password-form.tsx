"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { buttonClass, inputClass } from "../../(app)/_clinical/field";
import { errorText } from "../../_trpc/error-text";
import { useTRPC } from "../../_trpc/provider";

type FieldErrors = Partial<Record<string, string[]>>;

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const change = useMutation(
    trpc.users.changeOwnPassword.mutationOptions({
      onSuccess: () => {
        router.push("/queue");
        router.refresh();
      },
      onError: (error) => setFieldErrors((error.data?.fieldErrors as FieldErrors | null) ?? {}),
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (form.get("newPassword") !== form.get("repeatPassword")) {
      setFieldErrors({ repeatPassword: ["The two new passwords differ."] });
      return;
    }
    setFieldErrors({});
    change.mutate({ currentPassword: String(form.get("currentPassword")), newPassword: String(form.get("newPassword")) });
  }

  const fieldError = (name: string) =>
    fieldErrors[name]?.length ? <span className="text-xs text-red-700">{fieldErrors[name]?.join(" ")}</span> : null;

  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Change your password">
      <label className="block text-sm font-medium text-slate-700">
        Current password
        <input name="currentPassword" type="password" autoComplete="current-password" required className={inputClass} />
        {fieldError("currentPassword")}
      </label>
      <label className="block text-sm font-medium text-slate-700">
        New password (12+ characters)
        <input name="newPassword" type="password" autoComplete="new-password" required className={inputClass} />
        {fieldError("newPassword")}
      </label>
      <label className="block text-sm font-medium text-slate-700">
        New password again
        <input name="repeatPassword" type="password" autoComplete="new-password" required className={inputClass} />
        {fieldError("repeatPassword")}
      </label>
      {change.error && !Object.keys(fieldErrors).length ? (
        <p className="text-sm text-red-700" data-testid="form-error">
          {errorText(change.error)}
        </p>
      ) : null}
      <button type="submit" disabled={change.isPending} className={buttonClass}>
        Change password
      </button>
    </form>
  );
}
