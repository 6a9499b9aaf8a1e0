/**
 * What the wasm engine cannot do because it only ever sees one already-chosen database: check that the configured
 * database is reachable, create it, drop it. The CLI asks for these through `schema-engine cli <command>` (e.g.
 * `migrate dev` creates a missing database) and through the `createDatabase` JSON-RPC method. Errors carry the
 * native engine's codes (P1000, P1001, P1003, P1009, ...) because the CLI branches on them.
 */
import pg from "pg";
import { withDatabase } from "./pg-adapter-factory.mjs";

export class UserFacingError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function describe(url) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port || "5432",
    user: decodeURIComponent(parsed.username),
    database: decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username),
  };
}

/** Maps a pg/socket error to the native engine's user-facing error. */
export function toUserFacingError(error, url) {
  const { host, port, user, database } = describe(url);
  switch (error?.code) {
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
    case "ECONNRESET":
      return new UserFacingError(
        "P1001",
        `Can't reach database server at \`${host}:${port}\`\n\nPlease make sure your database server is running at \`${host}:${port}\`.`,
      );
    case "ETIMEDOUT":
      return new UserFacingError("P1002", `The database server at \`${host}:${port}\` was reached but timed out.`);
    case "28P01":
    case "28000":
      return new UserFacingError(
        "P1000",
        `Authentication failed against database server, the provided database credentials for \`${user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at the configured address.`,
      );
    case "3D000":
      return new UserFacingError(
        "P1003",
        `Database \`${database}\` does not exist on the database server at \`${host}:${port}\`.`,
      );
    case "42P04":
      return new UserFacingError(
        "P1009",
        `Database \`${database}\` already exists on the database server at \`${host}:${port}\``,
      );
    default:
      return new UserFacingError("P1000", String(error?.message ?? error));
  }
}

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    throw error instanceof UserFacingError ? error : toUserFacingError(error, url);
  } finally {
    await client.end().catch(() => {});
  }
}

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

export async function canConnect(url) {
  await withClient(url, (client) => client.query("SELECT 1"));
}

/** Creates the database named in `url`, connecting through the server's `postgres` maintenance database. */
export async function createDatabase(url) {
  const { database } = describe(url);
  await withClient(withDatabase(url, "postgres"), async (client) => {
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
    } catch (error) {
      throw toUserFacingError(error, url);
    }
  });
  return database;
}

export async function dropDatabase(url) {
  const { database } = describe(url);
  await withClient(withDatabase(url, "postgres"), (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`),
  );
}

const CLI_COMMANDS = {
  "can-connect-to-database": canConnect,
  "create-database": createDatabase,
  "drop-database": dropDatabase,
};

/**
 * Runs `schema-engine cli <command>`. The CLI parses our stderr as JSON log lines but DISCARDS THE FIRST LINE
 * (the native engine's start-up log), so a failure is written as a throw-away first line plus the error line.
 * @returns the process exit code.
 */
export async function runCliCommand(command, url) {
  const run = CLI_COMMANDS[command];
  const log = (level, fields) =>
    process.stderr.write(`${JSON.stringify({ level, target: "schema_engine::logger", fields })}\n`);
  if (!run) {
    log("INFO", { message: "Starting schema engine CLI shim (wasm)" });
    log("ERROR", { message: `Unknown cli command \`${command}\``, error_code: "P1000" });
    return 1;
  }
  if (!url) {
    log("INFO", { message: "Starting schema engine CLI shim (wasm)" });
    log("ERROR", { message: "No datasource url given (--datasource).", error_code: "P1012" });
    return 1;
  }
  try {
    await run(url);
    return 0;
  } catch (error) {
    const failure = error instanceof UserFacingError ? error : toUserFacingError(error, url);
    log("INFO", { message: "Starting schema engine CLI shim (wasm)" });
    log("ERROR", { message: failure.message, error_code: failure.code });
    return 1;
  }
}
