import { describe, expect, it } from "vitest";
import { uploadOutcome } from "./upload-outcome";

describe("uploadOutcome", () => {
  it("shows a rejected or failed upload as failed, never as complete, although all its bytes were sent", () => {
    expect(uploadOutcome({ status: "rejected", code: "UNSUPPORTED_TYPE", reason: "This file is text, not a JPEG, PNG, BMP or TIFF image." })).toBe("failed");
    expect(uploadOutcome({ status: "rejected", code: "TOO_SMALL", reason: "The image is 10×10 px; at least 64 px per side." })).toBe("failed");
    expect(uploadOutcome({ status: "error", message: "The server answered 502. Try again." })).toBe("failed");
  });

  it("shows only a stored image as stored, and a duplicate as not added", () => {
    expect(uploadOutcome({ status: "created", image: { id: "i", width: 600, height: 450, capturedAt: null } })).toBe("stored");
    expect(uploadOutcome({ status: "duplicate", existingImageId: "i", existingLesionId: "l", sameLesion: true })).toBe("not-added");
  });
});
