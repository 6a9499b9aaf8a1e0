/**
 * How a finished upload shows in the upload list. Only a stored image is complete: a rejected or failed upload is
 * a failure (red, with its reason), however many of its bytes were sent; a duplicate added nothing.
 */
import type { UploadResult } from "@/server/http/upload-lesion-image";

export type UploadOutcome = "stored" | "not-added" | "failed";

export function uploadOutcome(result: UploadResult): UploadOutcome {
  switch (result.status) {
    case "created":
      return "stored";
    case "duplicate":
      return "not-added";
    case "rejected":
    case "error":
      return "failed";
  }
}

export const UPLOAD_OUTCOME_DISPLAY: Record<UploadOutcome, { label: string; barClass: string; textClass: string }> = {
  stored: { label: "Stored", barClass: "bg-emerald-600", textClass: "text-emerald-800" },
  "not-added": { label: "Not added", barClass: "bg-amber-400", textClass: "text-amber-800" },
  failed: { label: "Failed", barClass: "bg-red-600", textClass: "text-red-700" },
};
