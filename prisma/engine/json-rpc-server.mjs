/**
 * The native schema engine's protocol: JSON-RPC 2.0 requests from the CLI, one per line on stdin; responses one per
 * line on stdout; tracing logs as JSON lines on stderr. Requests are answered in order, one at a time (the engine
 * holds a single connection and the CLI waits for each answer anyway).
 *
 * Differences from the wasm API that we paper over here:
 * - `getDatabaseVersion` is `version()`; `createDatabase` goes through pg (the wasm engine has no such method).
 * - `diff` returns its text; the native engine instead sends it to the CLI as a `print` request, which the CLI
 *   writes to stdout (and captures for `--output`). We do the same.
 * - Errors are JS exceptions; we turn them into the native error shape `{ code, message, data: { is_panic,
 *   message, error_code } }`, and give a failed migration the native P3018 error (migration name + database error)
 *   instead of the raw driver-adapter span trace.
 */
import { createInterface } from "node:readline";
import { createDatabase } from "./database-admin.mjs";
import { startWasmEngine, takePanicMessage } from "./wasm-engine.mjs";

const WASM_METHODS = new Set([
  "applyMigrations",
  "createMigration",
  "dbExecute",
  "devDiagnostic",
  "diagnoseMigrationHistory",
  "ensureConnectionValidity",
  "evaluateDataLoss",
  "introspect",
  "introspectSql",
  "markMigrationApplied",
  "markMigrationRolledBack",
  "reset",
  "schemaPush",
]);

class EnginePanic extends Error {}

/**
 * The wasm engine's evaluateDataLoss and createMigration get no shadow-database factory: they only work when the
 * schema produced by the migrations directory is already in the engine's cache, which diagnoseMigrationHistory
 * (opted in to the shadow database) fills for the migrations applied to the database. In `migrate dev` on a
 * database that was behind, the cache only holds the schema before the CLI applied the pending migrations, so we
 * refill it now that they are applied, and retry.
 */
async function withMigrationSchemaCached(wasm, method, params) {
  try {
    return await wasm[method](params);
  } catch (error) {
    if (!/shadow DB must be provided through an external factory/.test(String(error?.message))) throw error;
    const { migrationsList, filters } = params;
    await wasm.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: true, filters });
    return wasm[method](params);
  }
}

/** Turns the wasm engine's uncoded "external connector error ... apply_script with migration_name=..." into P3018. */
function migrationFailure(message) {
  const migration = /apply_script\s+with migration_name="([^"]+)"/.exec(message)?.[1];
  if (!migration) return undefined;
  const databaseError = message
    .split(/\n\s+0: /)[0]
    .replace(/^external connector error\n/, "")
    .replace(/^Error querying the database: /, "")
    .trim();
  return {
    error_code: "P3018",
    message:
      "A migration failed to apply. New migrations cannot be applied before the error is recovered from. " +
      "Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve" +
      `\n\nMigration name: ${migration}\n\nDatabase error:\n${databaseError}\n`,
  };
}

function toRpcError(error, externalErrorMessage) {
  if (error instanceof EnginePanic || error instanceof WebAssembly.RuntimeError) {
    const message = takePanicMessage() ?? String(error.message);
    return { code: 4466, message: "An error happened. Check the data field for details.", data: { is_panic: true, message, error: { message } } };
  }
  const message = String(error?.message ?? error).replace(
    /External error id#(\d+)/g,
    (text, id) => externalErrorMessage(Number(id)) ?? text,
  );
  const errorCode = typeof error?.code === "string" && /^P\d{4}$/.test(error.code) ? error.code : undefined;
  const data = errorCode ? { message, error_code: errorCode } : (migrationFailure(message) ?? { message });
  return { code: 4466, message: "An error happened. Check the data field for details.", data: { is_panic: false, ...data } };
}

/**
 * @param {object} options
 * @param {[string, string][] | undefined} options.datamodels
 * @param {{ url?: string }} options.datasource
 * @param {{ adapterFactory: object, close(): Promise<void> }} options.adapters
 */
export function serveJsonRpc({ datamodels, datasource, adapters }) {
  const writeLine = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const log = (line) => process.stderr.write(line.endsWith("\n") ? line : `${line}\n`);
  let printId = 1_000_000;
  let engine;
  const getEngine = () => (engine ??= startWasmEngine(datamodels, log, adapters.adapterFactory));

  async function call(method, params) {
    if (method === "createDatabase") return { databaseName: await createDatabase(datasource.url) };
    const wasm = await getEngine();
    if (method === "getDatabaseVersion") return wasm.version(params ?? null);
    if (method === "debugPanic") {
      wasm.debugPanic();
      throw new EnginePanic("debugPanic did not panic");
    }
    if (method === "diff") {
      const { exitCode, stdout } = await wasm.diff(params);
      if (stdout) writeLine({ jsonrpc: "2.0", id: printId++, method: "print", params: { content: stdout.replace(/\n$/, "") } });
      return { exitCode };
    }
    if (!WASM_METHODS.has(method)) throw new Error(`Method \`${method}\` is not supported by the wasm schema engine shim.`);
    if (method === "evaluateDataLoss" || method === "createMigration") return withMigrationSchemaCached(wasm, method, params);
    return wasm[method](params);
  }

  let queue = Promise.resolve();
  let panicked = false;
  let inFlight;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      writeLine({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    // Answers to our own `print` requests need no reply.
    if (typeof request.method !== "string") return;
    queue = queue.then(async () => {
      if (panicked) return;
      inFlight = request.id;
      try {
        writeLine({ jsonrpc: "2.0", id: request.id, result: (await call(request.method, request.params)) ?? {} });
      } catch (error) {
        const rpcError = toRpcError(error, adapters.externalErrorMessage);
        panicked = rpcError.data.is_panic;
        writeLine({ jsonrpc: "2.0", id: request.id, error: rpcError });
      } finally {
        inFlight = undefined;
      }
    });
  });

  // A Rust panic inside an async engine method surfaces as an uncaught RuntimeError, not as a rejected promise.
  // Answer the request it interrupted (the CLI shows the panic message) and exit 101 like the native engine.
  process.on("uncaughtException", (error) => {
    const rpcError = toRpcError(
      error instanceof WebAssembly.RuntimeError ? error : new EnginePanic(String(error?.stack ?? error)),
      adapters.externalErrorMessage,
    );
    log(JSON.stringify({ level: "ERROR", target: "schema_engine::logger", fields: { message: rpcError.data.message } }));
    if (inFlight !== undefined) writeLine({ jsonrpc: "2.0", id: inFlight, error: rpcError });
    process.exitCode = 101;
    adapters.close().finally(() => process.exit(101));
  });

  // The CLI ends stdin when done, and on Linux sends SIGTERM right after: finish the request in flight, drop any
  // shadow database we created, then exit (the idle pg pool would otherwise keep us alive). A panicked wasm
  // instance cannot be used again, so exit 101 like the native engine.
  let shuttingDown;
  const shutdown = () =>
    (shuttingDown ??= queue
      .then(() => adapters.close())
      .finally(() => process.exit(panicked ? 101 : 0)));
  lines.on("close", shutdown);
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  process.stdout.on("error", () => {}); // the CLI may be gone already (EPIPE)
}
