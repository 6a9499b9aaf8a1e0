/**
 * zod's messages as a clinician reads them. zod's own ("Too big: expected string to have <=200 characters") are
 * written for developers. This error map stands in for them wherever a schema gives no message of its own, on the
 * server (tRPC input errors, server/trpc/init.ts) and in the browser (the forms check with the same schemas first,
 * app/_components/zod-without-eval.tsx), so a refused value reads the same in both: "Reason: at most 200 characters."
 * A schema's own message ("Enter the medical record number.") always wins: zod asks this map only when there is none.
 * Pure, no server-only imports: the browser bundles it.
 */
import { z } from "zod";

type Issue = z.core.$ZodRawIssue;

/** Field names that do not read well split from camelCase. */
const FIELD_LABELS: Record<string, string> = {
  mrn: "MRN",
  followUpDate: "Follow-up date",
  fitzpatrickType: "Fitzpatrick skin type",
};

/** The field an issue concerns, as its form labels it ("overrideReason" -> "Override reason"); null at the top level. */
export function fieldLabel(path: readonly PropertyKey[] | undefined): string | null {
  const key = [...(path ?? [])].reverse().find((part): part is string => typeof part === "string");
  if (!key) return null;
  const known = FIELD_LABELS[key];
  if (known) return known;
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replaceAll(/[_-]+/g, " ").trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "Reason" -> "a reason", "Override reason" -> "an override reason"; acronyms keep their capitals. */
function withArticle(label: string): string {
  const noun = label
    .split(" ")
    .map((word) => (word.length > 1 && word === word.toUpperCase() ? word : word.toLowerCase()))
    .join(" ");
  return `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
}

const isBlank = (input: unknown) => input === undefined || input === null || (typeof input === "string" && input.trim() === "");

/** A bound as words: "at most 200 characters", "at least 1". */
function bound(issue: Extract<Issue, { code: "too_big" | "too_small" }>): string {
  const limit = issue.code === "too_big" ? issue.maximum : issue.minimum;
  const inclusive = issue.inclusive !== false;
  const comparison = issue.exact ? "exactly" : issue.code === "too_big" ? (inclusive ? "at most" : "less than") : inclusive ? "at least" : "more than";
  switch (issue.origin) {
    case "string":
      return `${comparison} ${limit} character${Number(limit) === 1 ? "" : "s"}`;
    case "array":
    case "set":
      return `${comparison} ${limit} item${Number(limit) === 1 ? "" : "s"}`;
    case "date": {
      const date = new Date(Number(limit)).toISOString().slice(0, 10);
      return issue.code === "too_big" ? `on or before ${date}` : `on or after ${date}`;
    }
    case "file":
      return `${comparison} ${limit} bytes`;
    default:
      return `${comparison} ${limit}`;
  }
}

const FORMAT_PHRASES: Record<string, string> = {
  email: "enter an email address like name@clinic.example",
  date: "enter a date like 2026-01-31",
  datetime: "enter a date and time",
  time: "enter a time like 14:30",
  url: "enter a web address starting with https://",
  regex: "use only the characters allowed here",
};

const TYPE_PHRASES: Record<string, string> = {
  number: "enter a number",
  int: "enter a whole number",
  date: "enter a valid date",
  boolean: "choose yes or no",
  string: "enter text",
};

/** What is wrong, without the field's name: "at most 200 characters". */
function phrase(issue: Issue): string {
  switch (issue.code) {
    case "too_big":
    case "too_small":
      return bound(issue);
    case "invalid_type":
      return TYPE_PHRASES[issue.expected] ?? "check this value";
    case "invalid_value":
      return "choose one of the options";
    case "invalid_format":
      return FORMAT_PHRASES[issue.format] ?? "check the format";
    case "not_multiple_of":
      return `enter a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return `unexpected field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.join(", ")}`;
    default:
      return "check this value";
  }
}

/** Whether the issue only says "nothing was given" (an empty required field). */
function isMissing(issue: Issue): boolean {
  if (issue.code === "too_small" && issue.origin === "string") return Number(issue.minimum) <= 1 && isBlank(issue.input);
  if (issue.code === "too_small" && (issue.origin === "array" || issue.origin === "set")) return Number(issue.minimum) <= 1;
  return (issue.code === "invalid_type" || issue.code === "invalid_value" || issue.code === "invalid_format") && isBlank(issue.input);
}

/** zod's error map: one sentence per issue, naming the field when the issue has one. */
export function readableZodIssue(issue: Issue): string {
  const label = fieldLabel(issue.path);
  if (isMissing(issue)) {
    if (issue.code === "too_small" && issue.origin !== "string") return label ? `${label}: choose at least one.` : "Choose at least one.";
    const verb = issue.code === "invalid_value" ? "choose" : "enter";
    return label ? `Please ${verb} ${withArticle(label)}.` : "Please fill this in.";
  }
  const what = phrase(issue);
  return label ? `${label}: ${what}.` : `${what.charAt(0).toUpperCase()}${what.slice(1)}.`;
}

/** One line for a whole refused input (each message once), for a page that shows a single error. */
export function readableZodSummary(error: z.ZodError): string {
  return [...new Set(error.issues.map((issue) => issue.message))].join(" ") || "Check the form.";
}

/**
 * Makes readableZodIssue zod's error map in this process or page. zod keeps one configuration per loaded copy of
 * the library, so the server (tRPC) and the browser (the forms) each call this once.
 */
export function installReadableZodMessages(): void {
  z.config({ customError: readableZodIssue });
}
