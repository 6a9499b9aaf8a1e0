/**
 * Why an image was refused, as a stable code for programs and a sentence for the person who uploaded it. Every
 * refusal in the ingest pipeline is an ImageRejectedError; anything else escaping the pipeline is a bug or an
 * infrastructure failure (disk, database), never a property of the file.
 */
export const IMAGE_REJECTION_CODES = [
  "EMPTY",
  "TOO_LARGE",
  "UNSUPPORTED_TYPE",
  "CORRUPT",
  "TOO_MANY_PIXELS",
  "TOO_SMALL",
] as const;
export type ImageRejectionCode = (typeof IMAGE_REJECTION_CODES)[number];

export class ImageRejectedError extends Error {
  override readonly name = "ImageRejectedError";
  constructor(
    readonly code: ImageRejectionCode,
    /** Shown to the user as is: says what is wrong and, where possible, what to do. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${reason}`, options);
  }
}

export function isImageRejectedError(error: unknown): error is ImageRejectedError {
  return error instanceof ImageRejectedError;
}
