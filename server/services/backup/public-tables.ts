/**
 * The tables a backup covers, read from PostgreSQL's catalog rather than listed by hand: every table of the `public`
 * schema (the Prisma models and `_prisma_migrations`), so a table added by a future migration is backed up without
 * anyone remembering to add it here. Other schemas (pg-boss's job queues) are left out; see EXCLUDED_SCHEMAS.
 */
import type pg from "pg";

export const PRISMA_MIGRATIONS_TABLE = "_prisma_migrations";

export interface PublicTable {
  name: string;
  /** Columns in table order; generated columns are left out (PostgreSQL computes them, and refuses them in COPY). */
  columns: string[];
  primaryKey: string[];
}

export interface ForeignKey {
  /** The referencing table. */
  table: string;
  /** The referenced table: its rows must be loaded first. */
  references: string;
}

/**
 * Tables the database derives from others through triggers as their rows are written: a backup leaves them out, and a
 * restore rebuilds them as it loads the tables they come from (copying them too would count every change twice).
 */
export const DERIVED_TABLES: Readonly<Record<string, string>> = {
  OpenFlagCountDelta: "open flags per kind, recorded by triggers on Flag (migration open_flag_counts)",
};

/** The tables a backup copies: every public table but the derived ones. */
export async function listPublicTables(client: pg.ClientBase): Promise<PublicTable[]> {
  return (await listAllPublicTables(client)).filter((table) => !Object.hasOwn(DERIVED_TABLES, table.name));
}

async function listAllPublicTables(client: pg.ClientBase): Promise<PublicTable[]> {
  const result = await client.query<{ name: string; columns: string[]; primary_key: string[] | null }>(`
    SELECT c.relname AS name,
           array_agg(a.attname::text ORDER BY a.attnum) AS columns,
           (SELECT array_agg(k.attname::text ORDER BY array_position(con.conkey, k.attnum))
              FROM pg_constraint con
              JOIN pg_attribute k ON k.attrelid = con.conrelid AND k.attnum = ANY (con.conkey)
             WHERE con.conrelid = c.oid AND con.contype = 'p') AS primary_key
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
     GROUP BY c.oid, c.relname
     ORDER BY c.relname`);
  return result.rows.map((row) => ({ name: row.name, columns: row.columns, primaryKey: row.primary_key ?? [] }));
}

export async function listForeignKeys(client: pg.ClientBase): Promise<ForeignKey[]> {
  const result = await client.query<ForeignKey>(`
    SELECT child.relname AS "table", parent.relname AS "references"
      FROM pg_constraint con
      JOIN pg_class child ON child.oid = con.conrelid
      JOIN pg_class parent ON parent.oid = con.confrelid
      JOIN pg_namespace n ON n.oid = child.relnamespace
     WHERE con.contype = 'f' AND n.nspname = 'public'`);
  return result.rows;
}

/**
 * Tables ordered so that every referenced table comes before the tables referencing it (ties by name, so the order
 * is stable). A table referencing itself is fine for the order; a cycle between tables cannot be loaded with
 * immediate foreign keys, so it is refused.
 */
export function foreignKeyOrder(tables: readonly string[], foreignKeys: readonly ForeignKey[]): string[] {
  const known = new Set(tables);
  const waitingOn = new Map(tables.map((name) => [name, new Set<string>()]));
  for (const fk of foreignKeys) {
    if (fk.table === fk.references || !known.has(fk.table) || !known.has(fk.references)) continue;
    waitingOn.get(fk.table)!.add(fk.references);
  }
  const ordered: string[] = [];
  const remaining = new Set([...tables].sort());
  while (remaining.size > 0) {
    const ready = [...remaining].filter((name) => [...waitingOn.get(name)!].every((parent) => !remaining.has(parent)));
    if (ready.length === 0) throw new RangeError(`foreign keys form a cycle between ${[...remaining].join(", ")}`);
    for (const name of ready) {
      ordered.push(name);
      remaining.delete(name);
    }
  }
  return ordered;
}

/** Table names that hold at least one row; `_prisma_migrations` is migration history, not data, and is not counted. */
export async function tablesWithRows(client: pg.ClientBase, tables: readonly PublicTable[]): Promise<string[]> {
  const filled: string[] = [];
  for (const table of tables) {
    if (table.name === PRISMA_MIGRATIONS_TABLE) continue;
    const result = await client.query<{ filled: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${client.escapeIdentifier(table.name)}) AS filled`);
    if (result.rows[0]?.filled) filled.push(table.name);
  }
  return filled;
}
