import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-xl p-10">
      <h1 className="text-2xl font-semibold">Not allowed</h1>
      <p className="mt-2 text-slate-700">
        Your role does not give access to this page. Ask an administrator if you need it.
      </p>
      <Link href="/queue" className="mt-6 inline-block text-sky-700 underline">
        Back to the queue
      </Link>
    </main>
  );
}
