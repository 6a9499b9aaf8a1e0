import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { errorText, UNREACHABLE_SERVER } from "./error-text";

describe("errorText", () => {
  it("shows the API's sentence as it is", () => {
    const refused = new TRPCClientError("Reason: at most 200 characters.", {
      result: { error: { code: -32600, message: "Reason: at most 200 characters.", data: { code: "BAD_REQUEST", httpStatus: 400 } } },
    });
    expect(errorText(refused)).toBe("Reason: at most 200 characters.");
  });

  it("says plainly that the server was not reached, instead of a transport message", () => {
    expect(errorText(TRPCClientError.from(new TypeError("Failed to fetch")))).toBe(UNREACHABLE_SERVER);
  });

  it("shows nothing without an error", () => {
    expect(errorText(null)).toBeNull();
  });
});
