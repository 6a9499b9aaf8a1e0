import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type Db } from "../db/client";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { postgresSignInLimiter } from "./sign-in-rate-limit";

let database: TestDatabase;
let otherProcessDb: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  // A second client with its own connection pool stands for a second web process.
  otherProcessDb = createPrismaClient(database.url, { max: 2 });
});
afterAll(async () => {
  await otherProcessDb.$disconnect();
  await database.drop();
});

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe("sign-in attempts per address, in PostgreSQL", () => {
  it("refuses a key after its allowance in the window, lets it in again in the next window, and leaves other keys alone", async () => {
    const limiter = postgresSignInLimiter(database.db, { limit: 3, windowMs: 1000 });
    for (const t of [0, 10, 20]) expect(await limiter.consume("ip:a", at(t))).toBe(true);
    expect(await limiter.consume("ip:a", at(30))).toBe(false);
    expect(await limiter.consume("ip:b", at(30))).toBe(true);
    expect(await limiter.consume("ip:a", at(999))).toBe(false);
    expect(await limiter.consume("ip:a", at(1001))).toBe(true);
  });

  it("counts parallel attempts atomically: never more than the allowance get through", async () => {
    const limiter = postgresSignInLimiter(database.db, { limit: 5, windowMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 40 }, () => limiter.consume("ip:parallel", at(0))));
    expect(results.filter(Boolean)).toHaveLength(5);
  });

  it("shares one allowance between web processes", async () => {
    const first = postgresSignInLimiter(database.db, { limit: 4, windowMs: 60_000 });
    const second = postgresSignInLimiter(otherProcessDb, { limit: 4, windowMs: 60_000 });
    expect(await first.consume("ip:shared", at(0))).toBe(true);
    expect(await second.consume("ip:shared", at(1))).toBe(true);
    expect(await first.consume("ip:shared", at(2))).toBe(true);
    expect(await second.consume("ip:shared", at(3))).toBe(true);
    expect(await first.consume("ip:shared", at(4))).toBe(false);
    expect(await second.consume("ip:shared", at(5))).toBe(false);
  });

  it("gives a successful sign-in's attempt back, so a clinic behind one address is not locked out by its staff", async () => {
    const limiter = postgresSignInLimiter(database.db, { limit: 2, windowMs: 60_000 });
    for (let i = 0; i < 10; i++) {
      expect(await limiter.consume("ip:clinic", at(i))).toBe(true);
      await limiter.refund("ip:clinic");
    }
  });
});
