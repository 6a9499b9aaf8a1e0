import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createRng } from "@/ml/random";
import { CookieJar, freshSeconds, LoadClient, parseLoadModel, summarise, thinkMs, withConcurrency, type Sample, type ScenarioRun } from "./load-support";

describe("the load model", () => {
  it("reads --think: 0 for saturation, MIN-MAX for think time, and refuses anything else", () => {
    const fallback = { kind: "think-time", minMs: 500, maxMs: 2000 } as const;
    expect(parseLoadModel(undefined, fallback)).toBe(fallback);
    expect(parseLoadModel("0", fallback)).toEqual({ kind: "saturation" });
    expect(parseLoadModel("250-750", fallback)).toEqual({ kind: "think-time", minMs: 250, maxMs: 750 });
    for (const bad of ["", "2000-500", "0-100", "1s-2s", "500"]) expect(() => parseLoadModel(bad, fallback)).toThrow(/--think/);
  });

  it("draws think times inside the range, the same for the same seed, and none under saturation", () => {
    const model = { kind: "think-time", minMs: 500, maxMs: 2000 } as const;
    const draws = Array.from({ length: 2000 }, ((random) => () => thinkMs(model, random))(createRng(7)));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...draws)).toBeLessThan(2000);
    // Uniform: the mean sits near the middle.
    expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(1250, -2);
    const again = createRng(7);
    expect(draws.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => thinkMs(model, again)));
    expect(thinkMs({ kind: "saturation" }, createRng(7))).toBe(0);
  });
});

describe("summarise", () => {
  it("counts errors and interpolates percentiles over every sample", () => {
    const samples: Sample[] = Array.from({ length: 101 }, (_, index) => ({ label: "x", startedAt: index, ms: index, ok: index % 10 !== 0 }));
    expect(summarise(samples, 10)).toEqual({ requests: 101, errors: 11, requests_per_second: 10.1, p50_ms: 50, p95_ms: 95, p99_ms: 99, max_ms: 100 });
    expect(summarise([], 10)).toMatchObject({ requests: 0, errors: 0, max_ms: null });
  });
});

describe("withConcurrency", () => {
  it("runs every task, never more than the limit at once", async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await withConcurrency([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3, async (item) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5 + (item % 3)));
      inFlight--;
      done.push(item);
    });
    expect(most).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe("the load client's browser cache", () => {
  it("reads how long an answer may be reused from Cache-Control", () => {
    expect(freshSeconds("private, max-age=1800, immutable")).toBe(1800);
    expect(freshSeconds("private, no-store")).toBe(0);
    expect(freshSeconds("no-cache, max-age=60")).toBe(0);
    expect(freshSeconds(null)).toBe(0);
    expect(freshSeconds("private")).toBe(0);
  });

  it("reuses a fresh copy without a request, revalidates a stale one by ETag, and sends every request to a no-store server", async () => {
    const seen: { url: string; ifNoneMatch: string | undefined }[] = [];
    let maxAge = "1";
    const server = http.createServer((request, response) => {
      seen.push({ url: request.url!, ifNoneMatch: request.headers["if-none-match"] });
      const cacheControl = maxAge === "0" ? "private, no-store" : `private, max-age=${maxAge}`;
      if (request.headers["if-none-match"] === '"v1"') {
        response.writeHead(304, { "cache-control": cacheControl, etag: '"v1"' }).end();
        return;
      }
      response.writeHead(200, { "content-type": "image/jpeg", "cache-control": cacheControl, etag: '"v1"' }).end("jpeg bytes");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run: ScenarioRun = { samples: [], stopAt: performance.now() + 60_000, maxRequests: 100, browserCacheHits: [] };
      const client = new LoadClient(base, new CookieJar(), { kind: "saturation" }, 1, run);
      expect(await client.get("image", "/a", "image/jpeg")).toBe(true);
      expect(await client.get("image", "/a", "image/jpeg")).toBe(true);
      expect([seen.length, run.browserCacheHits.length]).toEqual([1, 1]);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await client.get("image", "/a", "image/jpeg")).toBe(true);
      expect(seen[1]).toEqual({ url: "/a", ifNoneMatch: '"v1"' });
      expect(run.samples.map((sample) => sample.ok)).toEqual([true, true]);

      maxAge = "0";
      expect(await client.get("image", "/b", "image/jpeg")).toBe(true);
      expect(await client.get("image", "/b", "image/jpeg")).toBe(true);
      expect(seen.filter((request) => request.url === "/b")).toEqual([
        { url: "/b", ifNoneMatch: undefined },
        { url: "/b", ifNoneMatch: undefined },
      ]);
    } finally {
      server.close();
    }
  });
});
