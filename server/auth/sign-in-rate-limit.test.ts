import { describe, expect, it } from "vitest";
import { clientAddress, SlidingWindowLimiter } from "./sign-in-rate-limit";

describe("failed sign-ins per address", () => {
  it("blocks a key after the limit of failures in the window, and lets it in again once the window slides", () => {
    const limiter = new SlidingWindowLimiter(3, 1000);
    for (const t of [0, 10, 20]) {
      expect(limiter.isBlocked("a", t)).toBe(false);
      limiter.record("a", t);
    }
    expect(limiter.isBlocked("a", 30)).toBe(true);
    expect(limiter.isBlocked("b", 30)).toBe(false); // other addresses are not affected
    expect(limiter.isBlocked("a", 999)).toBe(true);
    expect(limiter.isBlocked("a", 1001)).toBe(false); // the failure at t=0 has left the window
  });

  it("keeps memory bounded under many addresses", () => {
    const limiter = new SlidingWindowLimiter(1, 1000, 100);
    for (let i = 0; i < 1000; i++) limiter.record(`10.0.${i >> 8}.${i & 255}`, 0);
    // The oldest addresses were forgotten; the newest are still blocked.
    expect(limiter.isBlocked("10.0.0.0", 1)).toBe(false);
    expect(limiter.isBlocked("10.0.3.231", 1)).toBe(true);
  });

  it("takes the client address from the proxy's X-Forwarded-For", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "203.0.113.7, 10.0.0.1" }))).toBe("203.0.113.7");
    expect(clientAddress(new Headers())).toBe("unknown");
  });
});
