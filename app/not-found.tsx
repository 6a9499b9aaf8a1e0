import type { Metadata } from "next";
import Link from "next/link";
import { currentUser } from "@/server/auth/session";
import { AppShell } from "./_components/app-shell";
import { PageHeader } from "./_components/empty-state";

export const metadata: Metadata = { title: "Page not found" };

/**
 * An unknown address, or a record that does not exist (notFound()). A signed-in user gets the app's header and
 * navigation around it, as on every other page; anyone else is pointed to the sign-in page.
 */
export default async function NotFound() {
  const user = await currentUser();
  if (!user || user.mustChangePassword) {
    return (
      <main className="mx-auto max-w-xl p-10">
        <h1 className="text-2xl font-semibold">Page not found</h1>
        <p className="mt-2 text-slate-700">There is nothing at this address.</p>
        <Link href="/login" className="mt-6 inline-block text-sky-700 underline">
          Go to the sign-in page
        </Link>
      </main>
    );
  }
  return (
    <AppShell user={user}>
      <PageHeader title="Page not found">
        There is nothing at this address: the link may be mistyped, or the record may no longer exist.
      </PageHeader>
      <Link href="/queue" className="inline-block rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800">
        Go to the review queue
      </Link>
    </AppShell>
  );
}
