/**
 * The Prisma client: one per process, kept on globalThis so Next's dev reloads do not open new pools.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "../env";
import { PrismaClient } from "./generated/client";

export type Db = PrismaClient;

export function createPrismaClient(connectionString: string, options: { max?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString, max: options.max ?? 10 });
  return new PrismaClient({ adapter });
}

const globalForPrisma = globalThis as unknown as { dermflagPrisma?: PrismaClient };

/** The process's client for DATABASE_URL (set by the launcher, or by the deployment). */
export function getDb(): PrismaClient {
  if (!globalForPrisma.dermflagPrisma) {
    const url = env().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start DermFlag with `npm start` (it provides a database).");
    globalForPrisma.dermflagPrisma = createPrismaClient(url);
  }
  return globalForPrisma.dermflagPrisma;
}
