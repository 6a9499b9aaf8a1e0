/**
 * A service's DomainError answers over HTTP with the status of its code and its own message, whichever procedure
 * threw it; any other error stays a 500 whose message never leaves the server.
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Db } from "../db/client";
import { DomainError, type DomainErrorCode } from "../services/domain-error";
import { createTRPCRouter, publicProcedure, signedInProcedure } from "./init";

const router = createTRPCRouter({
  refuse: publicProcedure.input(z.object({ code: z.string() })).query(({ input }) => {
    throw new DomainError(input.code as DomainErrorCode, `refused with ${input.code}`);
  }),
  refuseSignedIn: signedInProcedure.mutation(() => {
    throw new DomainError("CONFLICT", "already decided by someone else");
  }),
  crash: publicProcedure.query(() => {
    throw new Error("SELECT * FROM patient WHERE name = 'secret'");
  }),
});

async function call(path: string, init: { input?: unknown; mutation?: boolean } = {}) {
  const url = new URL(`http://localhost/api/trpc/${path}`);
  if (!init.mutation) url.searchParams.set("input", JSON.stringify({ json: init.input ?? null }));
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(url, init.mutation ? { method: "POST", body: JSON.stringify({ json: null }), headers: { "content-type": "application/json" } } : {}),
    router,
    createContext: () => ({ db: {} as Db, user: { id: "u", email: "u@x.example", name: "U", role: "ADMIN" as const } }),
  });
  const body = (await response.json()) as { error: { json: { message: string; data: { code: string } } } };
  return { status: response.status, code: body.error.json.data.code, message: body.error.json.message };
}

describe("DomainError over tRPC", () => {
  it.each([
    ["BAD_REQUEST", 400],
    ["FORBIDDEN", 403],
    ["NOT_FOUND", 404],
    ["CONFLICT", 409],
    ["PRECONDITION_FAILED", 412],
  ] as const)("%s answers %i with the service's message", async (code, status) => {
    expect(await call("refuse", { input: { code } })).toEqual({ status, code, message: `refused with ${code}` });
  });

  it("is mapped behind the access checks too", async () => {
    expect(await call("refuseSignedIn", { mutation: true })).toEqual({ status: 409, code: "CONFLICT", message: "already decided by someone else" });
  });

  it("leaves any other error a 500 that says nothing of its cause", async () => {
    expect(await call("crash")).toEqual({ status: 500, code: "INTERNAL_SERVER_ERROR", message: "Something went wrong on the server." });
  });
});
