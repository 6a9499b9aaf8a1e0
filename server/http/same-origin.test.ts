import { describe, expect, it } from "vitest";
import { isCrossOriginRequest } from "./same-origin";

function request(headers: Record<string, string>, url = "http://127.0.0.1:3000/api/trpc/patients.create") {
  return new Request(url, { method: "POST", headers });
}

describe("isCrossOriginRequest", () => {
  it("passes a request the browser marks same-origin, and refuses same-site, cross-site and none", () => {
    expect(isCrossOriginRequest(request({ "sec-fetch-site": "same-origin", origin: "https://evil.example" }))).toBe(false);
    for (const site of ["same-site", "cross-site", "none"]) expect(isCrossOriginRequest(request({ "sec-fetch-site": site }))).toBe(true);
  });

  it("without Sec-Fetch-Site, compares Origin with the host the request was sent to (a proxy's X-Forwarded-Host first)", () => {
    expect(isCrossOriginRequest(request({ origin: "http://dermflag.local:3000", host: "dermflag.local:3000" }))).toBe(false);
    expect(isCrossOriginRequest(request({ origin: "https://evil.example", host: "dermflag.local:3000" }))).toBe(true);
    expect(isCrossOriginRequest(request({ origin: "https://dermflag.hospital.example", host: "127.0.0.1:3000", "x-forwarded-host": "dermflag.hospital.example" }))).toBe(false);
    expect(isCrossOriginRequest(request({ origin: "https://evil.example", host: "127.0.0.1:3000", "x-forwarded-host": "dermflag.hospital.example" }))).toBe(true);
    expect(isCrossOriginRequest(request({ origin: "http://127.0.0.1:3000" }))).toBe(false);
  });

  it("refuses Origin: null and a malformed Origin", () => {
    expect(isCrossOriginRequest(request({ origin: "null" }))).toBe(true);
    expect(isCrossOriginRequest(request({ origin: "not a url" }))).toBe(true);
  });

  it("passes a request with neither header (not sent by a browser from another origin)", () => {
    expect(isCrossOriginRequest(request({}))).toBe(false);
  });
});
