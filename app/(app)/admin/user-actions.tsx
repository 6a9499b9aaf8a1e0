"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { errorText } from "../../_trpc/error-text";
import { useTRPC } from "../../_trpc/provider";

interface Row {
  id: string;
  name: string;
  role: "ADMIN" | "DERMATOLOGIST" | null;
  active: boolean;
  locked: boolean;
  isSelf: boolean;
}

const linkButton = "rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100 disabled:opacity-60";

/** One user's admin actions: each is audited, and the server refuses removing the last active admin. */
export function UserActions({ user }: { user: Row }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [resetOpen, setResetOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const after = (message: string) => () => {
    setDone(message);
    setResetOpen(false);
    router.refresh();
  };
  const update = useMutation(trpc.users.update.mutationOptions({ onSuccess: after("Saved.") }));
  const unlock = useMutation(trpc.users.unlock.mutationOptions({ onSuccess: after("Unlocked.") }));
  const reset = useMutation(trpc.users.resetPassword.mutationOptions({ onSuccess: after("Password reset: they must change it at sign-in.") }));
  const pending = update.isPending || unlock.isPending || reset.isPending;
  const error = update.error ?? unlock.error ?? reset.error;

  function onReset(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    reset.mutate({ userId: user.id, temporaryPassword: String(new FormData(event.currentTarget).get("temporaryPassword")) });
  }

  return (
    <div className="flex flex-wrap items-center gap-1.5" aria-label={`Actions for ${user.name}`} role="group">
      {user.isSelf ? null : (
        <>
          <button type="button" className={linkButton} disabled={pending} onClick={() => update.mutate({ userId: user.id, active: !user.active })}>
            {user.active ? "Deactivate" : "Reactivate"}
          </button>
          {user.role !== "DERMATOLOGIST" ? (
            <button type="button" className={linkButton} disabled={pending} onClick={() => update.mutate({ userId: user.id, role: "DERMATOLOGIST" })}>
              Make dermatologist
            </button>
          ) : null}
          {user.role !== "ADMIN" ? (
            <button type="button" className={linkButton} disabled={pending} onClick={() => update.mutate({ userId: user.id, role: "ADMIN" })}>
              Make admin
            </button>
          ) : null}
        </>
      )}
      {user.locked ? (
        <button type="button" className={linkButton} disabled={pending} onClick={() => unlock.mutate({ userId: user.id })}>
          Unlock
        </button>
      ) : null}
      <button type="button" className={linkButton} disabled={pending} onClick={() => setResetOpen((open) => !open)} aria-expanded={resetOpen}>
        Reset password
      </button>
      {resetOpen ? (
        <form onSubmit={onReset} className="flex w-full items-center gap-1.5">
          <label className="text-xs">
            Temporary password
            <input name="temporaryPassword" type="password" required minLength={12} className="ml-1 rounded-md border border-slate-300 px-2 py-1 text-xs" />
          </label>
          <button type="submit" className={linkButton} disabled={pending}>
            Set
          </button>
        </form>
      ) : null}
      {error ? (
        <p className="w-full text-xs text-red-700" data-testid="user-action-error">
          {(error.data?.fieldErrors as Partial<Record<string, string[]>> | null | undefined)?.temporaryPassword?.join(" ") ?? errorText(error)}
        </p>
      ) : done ? (
        <p className="w-full text-xs text-emerald-700" role="status">
          {done}
        </p>
      ) : null}
    </div>
  );
}
