/**
 * The malformed-image corpus: a seeded, deterministic list of named uploads built from real dermoscopy images
 * (../shared/data) and the TIFF/BMP test writers, each with what the ingest pipeline must do with it. The same seed
 * and limits give byte-identical cases, so a failing case name is a reproduction.
 *
 * Sizes: the corpus is built to run through the real pipeline in a few seconds on two cores; cases that need a large
 * decode (a 7000x7000 header over 180 px of data) are few and named.
 */
import type { ImageLimits } from "@/server/services/images/image-limits";
import { decompressionBombPng } from "@/server/services/images/test-images";
import { concat } from "./bytes";
import { chunkAndSegmentCases, headerFieldCases, hugeDimensionCases } from "./format-field-cases";
import { CaseList, joinCases, type ImageFuzzCase } from "./image-fuzz-case";
import { loadImageSources, type ImageSources } from "./image-sources";
import { withPngSize } from "./png-structure";
import { seededRandom } from "./seeded-random";
import { byteFlipCases, emptyCases, polyglotCases, prefixCases, truncationCases, wrongMagicCases } from "./structural-image-cases";

export type { ImageFuzzCase } from "./image-fuzz-case";
export { IMAGE_FUZZ_CATEGORIES } from "./image-fuzz-case";

export interface ImageCorpusOptions {
  seed: number;
  /** The limits the corpus is run against: boundary cases sit just inside and just outside them. */
  limits: ImageLimits;
  /** Seeded byte-flip cases per format (default: DEFAULT_FLIPS_PER_FORMAT). */
  flipsPerFormat?: Readonly<Record<string, number>>;
}

export const DEFAULT_FLIPS_PER_FORMAT: Readonly<Record<string, number>> = { jpeg: 30, "jpeg-progressive": 12, png: 20, tiff: 10, bmp: 10 };

function controlCases(sources: ImageSources): CaseList {
  const list = new CaseList("control")
    .add("jpeg-isic-180", { bytes: sources.jpeg, expect: "accept" })
    .add("jpeg-ham10000-600x450", { bytes: sources.jpegLarge, expect: "accept" })
    .add("jpeg-progressive-180", { bytes: sources.jpegProgressive, expect: "accept" })
    .add("png-isic-180", { bytes: sources.png, expect: "accept" })
    .add("png-dermamnist-28", { bytes: sources.pngSmall, expect: "accept" })
    .add("tiff-uncompressed-64", { bytes: sources.tiff, expect: "accept" })
    .add("bmp-24-bit-64", { bytes: sources.bmp, expect: "accept" });
  return list;
}

function variantCases(sources: ImageSources): CaseList {
  const list = new CaseList("variant");
  for (const [name, bytes] of sources.variants) list.add(name, { bytes, expect: "accept" });
  return list;
}

function limitCases(sources: ImageSources, limits: ImageLimits): CaseList {
  const list = new CaseList("limits");
  const padTo = (bytes: Uint8Array, length: number) => concat(bytes, new Uint8Array(length - bytes.length));
  list.add("jpeg-padded-to-exactly-max-bytes", { bytes: padTo(sources.jpeg, limits.maxBytes), expect: "accept" });
  list.add("jpeg-padded-to-max-bytes-plus-1", { bytes: padTo(sources.jpeg, limits.maxBytes + 1), expect: "reject", code: "TOO_LARGE" });
  list.add("png-decompression-bomb-30000x30000", { bytes: decompressionBombPng(30_000), expect: "reject", code: "TOO_MANY_PIXELS" });
  const side = limits.minDimension;
  list.add(`png-ihdr-${side - 1}x${side - 1}-below-min-dimension`, { bytes: withPngSize(sources.pngSmall, side - 1, side - 1), expect: "reject", code: "TOO_SMALL" });
  list.add("png-ihdr-1x1", { bytes: withPngSize(sources.pngSmall, 1, 1), expect: "reject", code: "TOO_SMALL" });
  return list;
}

export async function buildImageCorpus(options: ImageCorpusOptions): Promise<ImageFuzzCase[]> {
  const sources = await loadImageSources();
  const random = seededRandom(options.seed);
  return joinCases([
    controlCases(sources),
    variantCases(sources),
    emptyCases(),
    prefixCases(sources),
    truncationCases(sources),
    wrongMagicCases(sources),
    polyglotCases(sources),
    hugeDimensionCases(sources, options.limits.maxPixels),
    headerFieldCases(sources),
    chunkAndSegmentCases(sources),
    byteFlipCases(sources, random, options.flipsPerFormat ?? DEFAULT_FLIPS_PER_FORMAT),
    limitCases(sources, options.limits),
  ]);
}

/** Cases per category, in IMAGE_FUZZ_CATEGORIES order (for test names and the report). */
export function countByCategory(cases: readonly ImageFuzzCase[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const fuzzCase of cases) counts[fuzzCase.category] = (counts[fuzzCase.category] ?? 0) + 1;
  return counts;
}
