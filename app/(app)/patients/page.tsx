import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { requirePermission } from "@/server/auth/guards";
import { can } from "@/server/auth/roles";
import { openUrlText, sealUrlText } from "@/server/security/sealed-url-text";
import { serverApi } from "@/server/trpc/server";
import { EmptyState, PageHeader } from "../../_components/empty-state";
import { buttonClass, inputClass } from "../_clinical/field";
import { fitzpatrickLabel, formatAge, formatDate, SEX_LABELS } from "../_clinical/format";
import { Pagination } from "./pagination";

export const metadata: Metadata = { title: "Patients" };

const PAGE_SIZE = 25;

type SearchParams = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const SEARCH_PURPOSE = "patient-search";

function cleanQuery(raw: unknown): string {
  return (typeof raw === "string" ? raw : "").trim().slice(0, 100);
}

/**
 * A search is a URL (?s=&page=), so every page of results is server-rendered and can be bookmarked, but the term in
 * it is sealed (server/security/sealed-url-text.ts): proxy logs and browser history see an opaque token, never a
 * patient's name or MRN. The form posts the term to a server action that redirects to the sealed URL.
 */
function searchHref(token: string | null, page?: number): string {
  const params = new URLSearchParams({ ...(token ? { s: token } : {}), ...(page ? { page: String(page) } : {}) });
  return params.size > 0 ? `/patients?${params}` : "/patients";
}

function parseSearch(params: SearchParams): { query: string; token: string | null; page: number } {
  const pageParam = Number(first(params.page));
  const page = Number.isInteger(pageParam) && pageParam >= 1 && pageParam <= 100_000 ? pageParam : 1;
  const token = first(params.s) ?? null;
  const opened = token ? openUrlText(SEARCH_PURPOSE, token) : null;
  return opened === null ? { query: "", token: null, page } : { query: cleanQuery(opened), token, page };
}

async function searchPatients(form: FormData) {
  "use server";
  const query = cleanQuery(form.get("q"));
  redirect(searchHref(query ? sealUrlText(SEARCH_PURPOSE, query) : null));
}

export default async function PatientsPage(props: { searchParams: Promise<SearchParams> }) {
  const user = await requirePermission("clinical:read");
  const params = await props.searchParams;
  // A link written with the term in the clear (?q=, as before) is answered with its sealed form.
  const plain = cleanQuery(first(params.q));
  if (plain) redirect(searchHref(sealUrlText(SEARCH_PURPOSE, plain)));
  const { query, token, page } = parseSearch(params);
  const result = await (await serverApi()).patients.list({ query: query || undefined, page, pageSize: PAGE_SIZE });
  const canRegister = can(user.role, "clinical:write");
  const totalPages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  const firstShown = (page - 1) * PAGE_SIZE + 1;

  return (
    <>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <PageHeader title="Patients">Find a patient by MRN or name (listed in MRN order); open one to see lesions, images and outcomes.</PageHeader>
        {canRegister ? (
          <Link href="/patients/new" className={buttonClass}>
            Register patient
          </Link>
        ) : null}
      </div>

      <form action={searchPatients} role="search" className="mb-6 flex max-w-xl items-end gap-2">
        <label className="block flex-1 text-sm font-medium text-slate-700">
          Search patients
          <input name="q" type="search" defaultValue={query} placeholder="MRN prefix or name" className={inputClass} />
        </label>
        <button type="submit" className={buttonClass}>
          Search
        </button>
        {query ? (
          <Link href="/patients" className="px-2 py-2 text-sm text-sky-700 underline">
            Clear
          </Link>
        ) : null}
      </form>

      {result.total === 0 ? (
        query ? (
          <EmptyState title={`No patient matches “${query}”`} action={canRegister ? { href: "/patients/new", label: "Register patient" } : undefined}>
            Search looks for MRNs that start with what you typed and names that contain it. Check the spelling, or register
            the patient if they are new.
          </EmptyState>
        ) : (
          <EmptyState title="No patients yet" action={canRegister ? { href: "/patients/new", label: "Register patient" } : undefined}>
            Register a patient to start, or ask an admin to import a data set (HAM10000, DermaMNIST or an image folder).
          </EmptyState>
        )
      ) : result.patients.length === 0 ? (
        <EmptyState title="No patients on this page" action={{ href: searchHref(token), label: "Go to the first page" }}>
          There are {result.total} matching patients, on {totalPages} pages.
        </EmptyState>
      ) : (
        <>
          <p className="mb-2 text-sm text-slate-600" data-testid="patient-count">
            Showing {firstShown}–{firstShown + result.patients.length - 1} of {result.total} {result.total === 1 ? "patient" : "patients"}
            {query ? ` matching “${query}”` : ""}.
          </p>
          <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table className="w-full text-left text-sm" data-testid="patient-table">
              <caption className="sr-only">Patients</caption>
              <thead className="bg-slate-100 text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-2">MRN</th>
                  <th scope="col" className="px-4 py-2">Name</th>
                  <th scope="col" className="px-4 py-2">Birth date</th>
                  <th scope="col" className="px-4 py-2">Age</th>
                  <th scope="col" className="px-4 py-2">Sex</th>
                  <th scope="col" className="px-4 py-2">Fitzpatrick</th>
                  <th scope="col" className="px-4 py-2 text-right">Lesions</th>
                  <th scope="col" className="px-4 py-2">Latest lesion image</th>
                </tr>
              </thead>
              {/* Rows link without prefetching: 25 prefetched patient pages per list view would be wasted queries. */}
              <tbody>
                {result.patients.map((patient) => (
                  <tr key={patient.id} className="border-t border-slate-100 hover:bg-slate-50">
                    <td className="px-4 py-2 font-mono">
                      <Link href={`/patients/${patient.id}`} prefetch={false} className="text-sky-800 underline-offset-2 hover:underline">
                        {patient.mrn}
                      </Link>
                    </td>
                    <td className="px-4 py-2">
                      <Link href={`/patients/${patient.id}`} prefetch={false} className="text-sky-800 underline-offset-2 hover:underline">
                        {patient.name}
                      </Link>
                    </td>
                    <td className="px-4 py-2">{formatDate(patient.birthDate)}</td>
                    <td className="px-4 py-2">{formatAge(patient.birthDate)}</td>
                    <td className="px-4 py-2">{SEX_LABELS[patient.sex]}</td>
                    <td className="px-4 py-2">{fitzpatrickLabel(patient.fitzpatrickType)}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{patient.lesionCount}</td>
                    <td className="px-4 py-2">{formatDate(patient.latestImageAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} totalPages={totalPages} href={(target) => searchHref(token, target)} />
        </>
      )}
    </>
  );
}
