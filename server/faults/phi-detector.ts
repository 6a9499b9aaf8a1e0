/**
 * Finds protected health information in log text: each value is looked for as written and in the other forms logs
 * tend to give it (any letter case; a name's parts; a date written day-first, month-first or compact; a file name
 * with or without its extension, and with its separators changed).
 */
export interface PhiValues {
  names?: string[];
  identifiers?: string[];
  /** ISO dates (YYYY-MM-DD). */
  dates?: string[];
  /** Free text: looked for whole, and by its proper nouns (capitalised words of 8 letters or more: names, places). */
  freeText?: string[];
  fileNames?: string[];
}

const MIN_PART = 5;
const MIN_WORD = 8;

function dateForms(iso: string): string[] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) throw new RangeError(`not an ISO date: ${iso}`);
  const [, y, m, d] = match as unknown as [string, string, string, string];
  return [iso, `${d}/${m}/${y}`, `${m}/${d}/${y}`, `${d}.${m}.${y}`, `${y}${m}${d}`];
}

function nameForms(name: string): string[] {
  const parts = name.split(/[\s_]+/).filter(Boolean);
  const hyphenParts = parts.flatMap((part) => part.split("-"));
  return [name, parts.join("_"), parts.join(""), ...parts, ...hyphenParts].filter((form) => form.length >= MIN_PART);
}

function fileNameForms(fileName: string): string[] {
  const base = fileName.replace(/\.[A-Za-z0-9]{1,5}$/, "");
  return [fileName, base, base.replaceAll("_", " "), ...nameForms(base.replaceAll(/[._-]/g, " "))];
}

function freeTextForms(text: string): string[] {
  return [text, ...(text.match(new RegExp(`\\p{Lu}[\\p{L}'-]{${MIN_WORD - 1},}`, "gu")) ?? [])];
}

/** Each form of each value that occurs in `text` (case-insensitive), as `kind "form"`. */
export function findPhi(text: string, values: PhiValues): string[] {
  const haystack = text.toLowerCase();
  const forms: [string, string][] = [
    ...(values.names ?? []).flatMap((value) => nameForms(value).map((form): [string, string] => ["name", form])),
    ...(values.identifiers ?? []).map((value): [string, string] => ["identifier", value]),
    ...(values.dates ?? []).flatMap((value) => dateForms(value).map((form): [string, string] => ["date", form])),
    ...(values.freeText ?? []).flatMap((value) => freeTextForms(value).map((form): [string, string] => ["free text", form])),
    ...(values.fileNames ?? []).flatMap((value) => fileNameForms(value).map((form): [string, string] => ["file name", form])),
  ];
  const found = new Set<string>();
  for (const [kind, form] of forms) if (haystack.includes(form.toLowerCase())) found.add(`${kind} "${form}"`);
  return [...found];
}
