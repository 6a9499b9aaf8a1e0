/** What the review page's components receive: plain values, prepared by the server component. */
export interface ReviewImageView {
  id: string;
  width: number;
  height: number;
  /** 1-based position in capture order. */
  position: number;
  /** "Captured 2025-01-02 10:00 UTC" or "Capture date unknown, uploaded 2025-01-03". */
  caption: string;
  /** P(malignant) of this image under the flag's model; null when that model did not score it. */
  pMalignant: number | null;
  /** Reasons the image-quality gate failed; empty when it passed or has not run. */
  qualityProblems: string[];
}
