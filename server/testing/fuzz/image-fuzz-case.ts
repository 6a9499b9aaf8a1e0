/** One named input for the image pipeline and what it must do with it. */
import type { ImageRejectionCode } from "@/server/services/images/image-rejected-error";

/**
 * "accept": stored (created, or a duplicate of a picture already stored). "reject": an ImageRejectedError.
 * "either": a mutation that may or may not still decode; it must still end in one of those two, never in another error.
 */
export type ImageExpectation = "accept" | "reject" | "either";

export const IMAGE_FUZZ_CATEGORIES = [
  "control",
  "variant",
  "empty",
  "prefix",
  "truncated",
  "wrong-magic",
  "polyglot",
  "huge-dimensions",
  "header-fields",
  "chunks-and-segments",
  "byte-flips",
  "limits",
] as const;
export type ImageFuzzCategory = (typeof IMAGE_FUZZ_CATEGORIES)[number];

export interface ImageFuzzCase {
  /** Unique, "<category>/<what>", e.g. "huge-dimensions/png-ihdr-100000x100000-crc-fixed". */
  name: string;
  category: ImageFuzzCategory;
  bytes: Uint8Array;
  expect: ImageExpectation;
  /** The rejection code, where the case determines it. */
  code?: ImageRejectionCode;
  /** Text smuggled into the file (a polyglot's payload) that must never reach a stored blob. */
  payload?: string;
}

type CaseSpec = Omit<ImageFuzzCase, "name" | "category">;

/** Collects the cases of one category, naming them "<category>/<name>". */
export class CaseList {
  readonly cases: ImageFuzzCase[] = [];
  constructor(private readonly category: ImageFuzzCategory) {}

  add(name: string, spec: CaseSpec): this {
    this.cases.push({ name: `${this.category}/${name}`, category: this.category, ...spec });
    return this;
  }
}

/** All lists joined; a repeated name is a bug in the generator (a failure report must point at one case). */
export function joinCases(lists: readonly CaseList[]): ImageFuzzCase[] {
  const all = lists.flatMap((list) => list.cases);
  const seen = new Set<string>();
  for (const fuzzCase of all) {
    if (seen.has(fuzzCase.name)) throw new Error(`duplicate fuzz case name ${fuzzCase.name}`);
    seen.add(fuzzCase.name);
  }
  return all;
}
