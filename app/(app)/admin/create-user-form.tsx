"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { errorText } from "../../_trpc/error-text";
import { useTRPC } from "../../_trpc/provider";

type FieldErrors = Partial<Record<string, string[]>>;

export function CreateUserForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: () => {
        setFieldErrors({});
        router.refresh();
      },
      onError: (error) => setFieldErrors((error.data?.fieldErrors as FieldErrors | null) ?? {}),
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({
      email: String(form.get("email")),
      name: String(form.get("name")),
      role: form.get("role") === "ADMIN" ? "ADMIN" : "DERMATOLOGIST",
      password: String(form.get("password")),
    });
  }

  const fieldError = (name: string) =>
    fieldErrors[name]?.length ? <span className="text-xs text-red-700">{fieldErrors[name]?.join(" ")}</span> : null;

  return (
    <form onSubmit={onSubmit} className="space-y-3 rounded-xl border border-slate-200 bg-white p-5" aria-label="Add a user">
      <h2 className="font-semibold">Add a user</h2>
      <label className="block text-sm">
        Name
        <input name="name" required className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5" />
        {fieldError("name")}
      </label>
      <label className="block text-sm">
        Email
        <input name="email" type="email" required className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5" />
        {fieldError("email")}
      </label>
      <label className="block text-sm">
        Role
        <select name="role" className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5">
          <option value="DERMATOLOGIST">Dermatologist</option>
          <option value="ADMIN">Administrator</option>
        </select>
      </label>
      <label className="block text-sm">
        Initial password (12+ characters)
        <input name="password" type="password" required className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5" />
        {fieldError("password")}
      </label>
      {create.error && !Object.keys(fieldErrors).length ? (
        <p className="text-sm text-red-700">{errorText(create.error)}</p>
      ) : null}
      {create.isSuccess ? <p className="text-sm text-emerald-700">User added.</p> : null}
      <button
        type="submit"
        disabled={create.isPending}
        className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60"
      >
        Add user
      </button>
    </form>
  );
}
