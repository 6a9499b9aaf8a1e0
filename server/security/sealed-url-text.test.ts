import { describe, expect, it } from "vitest";
import { openUrlText, sealUrlText } from "./sealed-url-text";

const secret = "a-test-secret-of-at-least-32-characters!";

describe("sealed URL text", () => {
  it("round-trips a search term, and the token shows nothing of it", () => {
    const token = sealUrlText("patient-search", "Smith MRN-0042", secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token).not.toContain("Smith");
    expect(Buffer.from(token, "base64url").toString("latin1")).not.toContain("Smith");
    expect(openUrlText("patient-search", token, secret)).toBe("Smith MRN-0042");
    expect(sealUrlText("patient-search", "Smith MRN-0042", secret)).not.toBe(token); // a fresh IV each time
  });

  it("opens to null for a tampered token, another purpose, another secret or garbage", () => {
    const token = sealUrlText("patient-search", "Smith", secret);
    const flipped = Buffer.from(token, "base64url");
    flipped[14]! ^= 1;
    expect(openUrlText("patient-search", flipped.toString("base64url"), secret)).toBeNull();
    expect(openUrlText("audit-search", token, secret)).toBeNull();
    expect(openUrlText("patient-search", token, `${secret}-rotated`)).toBeNull();
    expect(openUrlText("patient-search", "Smith", secret)).toBeNull();
    expect(openUrlText("patient-search", "", secret)).toBeNull();
  });
});
