#!/usr/bin/env node
/**
 * Stand-in for Prisma's native `schema-engine` binary, which the CLI would otherwise download from
 * binaries.prisma.sh (unreachable on an air-gapped network). prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY
 * here. Same command line as the native binary:
 *
 *   schema-engine --version                       print the engine version
 *   schema-engine [--datamodels FILE]... [--datasource JSON] cli <can-connect-to-database|create-database|drop-database>
 *   schema-engine [--datamodels FILE]... [--datasource JSON]   serve JSON-RPC on stdin/stdout (migrate, db push, ...)
 *
 * `--datasource` is the config's datasource as JSON: {"url": ..., "shadowDatabaseUrl": ...}. Work is done by the
 * wasm build of the same engine over @prisma/adapter-pg (see json-rpc-server.mjs, pg-adapter-factory.mjs).
 * Plain ESM JavaScript on purpose: the CLI spawns this for every command, so it must start without a build step.
 */
import { readFileSync } from "node:fs";

/** Parses the native engine's flags; unknown flags (preview features, extension types) are accepted and ignored. */
function parseArgs(argv) {
  const options = { datamodels: [], datasource: {}, version: false, cliCommand: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inlineValue] = argv[i].startsWith("--") ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => inlineValue ?? argv[++i] ?? "";
    if (flag === "--version" || flag === "-V") options.version = true;
    else if (flag === "--datamodels" || flag === "--datamodel" || flag === "-d") options.datamodels.push(value());
    else if (flag === "--datasource") options.datasource = parseDatasource(value());
    else if (flag === "--enabled-preview-features" || flag === "--extension-types") value();
    else if (flag === "cli") options.cliCommand = argv[++i] ?? "";
  }
  return options;
}

/** The CLI passes JSON; a bare connection string (older CLIs) is accepted too. */
function parseDatasource(raw) {
  try {
    const parsed = JSON.parse(raw);
    if (parsed && typeof parsed === "object") return parsed;
  } catch {
    // not JSON: a plain URL
  }
  return { url: raw };
}

const options = parseArgs(process.argv.slice(2));

if (options.version) {
  const { engineVersion } = await import("./wasm-engine.mjs");
  process.stdout.write(`schema-engine-cli ${engineVersion()} (wasm, prisma/engine shim)\n`);
} else if (options.cliCommand !== undefined) {
  const { runCliCommand } = await import("./database-admin.mjs");
  process.exitCode = await runCliCommand(options.cliCommand, options.datasource.url);
} else {
  const [{ serveJsonRpc }, { createAdapterFactory }] = await Promise.all([
    import("./json-rpc-server.mjs"),
    import("./pg-adapter-factory.mjs"),
  ]);
  const datamodels = options.datamodels.map((file) => [file, readFileSync(file, "utf8")]);
  serveJsonRpc({
    datamodels: datamodels.length > 0 ? datamodels : undefined,
    datasource: options.datasource,
    adapters: createAdapterFactory(options.datasource),
  });
}
