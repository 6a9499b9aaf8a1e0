/**
 * The /api/trpc endpoint over HTTP (the route handler's own function, with a test database as its context): body
 * cap, cross-origin refusal of mutations, no-store answers and the input boundary's 400.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/server/auth/session";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import type { Context } from "@/server/trpc/init";
import { createTrpcHandler, TRPC_MAX_BODY_BYTES } from "./trpc-handler";

let database: TestDatabase;
const user: SessionUser = { id: "", email: "derm@trpc-http.example", name: "Derm", role: "DERMATOLOGIST" };
let contextsCreated = 0;
const handler = createTrpcHandler({
  createContext: async (): Promise<Context> => {
    contextsCreated += 1;
    return { db: database.db, user };
  },
});
const BASE = "http://dermflag.local:3000/api/trpc";

function mutation(path: string, input: unknown, headers: Record<string, string> = {}) {
  return handler(
    new Request(`${BASE}/${path}`, {
      method: "POST",
      body: JSON.stringify({ json: input }),
      headers: { "content-type": "application/json", host: "dermflag.local:3000", ...headers },
    }),
  );
}

function query(path: string, input: unknown) {
  return handler(new Request(`${BASE}/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers: { host: "dermflag.local:3000" } }));
}

const patient = (mrn: string) => ({ mrn, name: "Http Patient", birthDate: null, sex: "UNKNOWN", fitzpatrickType: null });

beforeAll(async () => {
  database = await createTestDatabase();
  user.id = (await database.db.user.create({ data: { email: user.email, name: user.name, role: user.role, passwordHash: "x" } })).id;
});
afterAll(() => database?.drop());

describe("tRPC body cap", () => {
  it("refuses a 2 MB body with 413 from its declared length, without reading or parsing it", async () => {
    let read = false;
    const unread = new ReadableStream<Uint8Array>({ pull: () => void (read = true) }, { highWaterMark: 0 });
    const before = contextsCreated;
    const response = await handler(
      new Request(`${BASE}/patients.create`, {
        method: "POST",
        body: unread,
        headers: { "content-type": "application/json", "content-length": String(2 * 1024 * 1024) },
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(read).toBe(false);
    expect(contextsCreated).toBe(before);
  });

  it("refuses a 2 MB body sent without a length with 413 once the cap is passed, reading no further", async () => {
    const chunk = new TextEncoder().encode(`{"json":{"name":"${"x".repeat(64 * 1024)}`);
    let pulled = 0;
    const twoMegabytes = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 2 * 1024 * 1024) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const before = contextsCreated;
    const response = await handler(
      new Request(`${BASE}/patients.create`, { method: "POST", body: twoMegabytes, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThan(TRPC_MAX_BODY_BYTES + 4 * chunk.byteLength);
    expect(contextsCreated).toBe(before);
  });

  it("passes a body under the cap", async () => {
    const response = await mutation("patients.create", patient("HTTP-CAP-1"));
    expect(response.status).toBe(200);
  });
});

describe("tRPC cross-origin mutations", () => {
  it("refuses a mutation from another origin with 403 and changes nothing", async () => {
    const crossOrigin: Record<string, string>[] = [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site", origin: "https://evil.example" }, { "sec-fetch-site": "same-site" }];
    for (const headers of crossOrigin) {
      const response = await mutation("patients.create", patient("HTTP-CSRF-1"), headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
    }
    expect(await database.db.patient.count({ where: { mrn: "HTTP-CSRF-1" } })).toBe(0);
  });

  it("passes a same-origin mutation (by Sec-Fetch-Site, by Origin, and from a non-browser client without either)", async () => {
    const cases: [string, Record<string, string>][] = [
      ["HTTP-SAME-1", { "sec-fetch-site": "same-origin", origin: "http://dermflag.local:3000" }],
      ["HTTP-SAME-2", { origin: "http://dermflag.local:3000" }],
      ["HTTP-SAME-3", {}],
    ];
    for (const [mrn, headers] of cases) {
      const response = await mutation("patients.create", patient(mrn), headers);
      expect(response.status, JSON.stringify(headers)).toBe(200);
    }
    expect(await database.db.patient.count({ where: { mrn: { startsWith: "HTTP-SAME-" } } })).toBe(3);
  });
});

describe("tRPC answers", () => {
  it("carry Cache-Control: private, no-store (a query with patient data, a mutation and an error)", async () => {
    const list = await query("patients.list", { query: "HTTP" });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain("Http Patient");
    expect(list.headers.get("cache-control")).toBe("private, no-store");
    expect((await mutation("patients.create", patient("HTTP-CACHE-1"))).headers.get("cache-control")).toBe("private, no-store");
    expect((await query("patients.get", { patientId: "no-such-patient" })).headers.get("cache-control")).toBe("private, no-store");
  });

  it("answer 400 to a NUL in the input, over HTTP too", async () => {
    expect((await query("patients.list", { query: "Smi\u0000th" })).status).toBe(400);
    expect((await mutation("patients.create", { ...patient("HTTP-NUL-1"), name: "A\u0000" })).status).toBe(400);
  });

  it("say what is wrong with a refused input as a clinician would, per field and in one line, never as zod's JSON", async () => {
    const response = await mutation("patients.create", { ...patient("HTTP-LONG-1"), name: "x".repeat(201), fitzpatrickType: 9 });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { json: { message: string; data: { fieldErrors: unknown } } } };
    expect(error.json.message).toBe("Name: at most 200 characters. Fitzpatrick skin type: at most 6.");
    expect(error.json.data.fieldErrors).toEqual({ name: ["Name: at most 200 characters."], fitzpatrickType: ["Fitzpatrick skin type: at most 6."] });
  });
});
