/**
 * One table to or from a CSV file with PostgreSQL's COPY, streamed (tables can be larger than memory) and hashed on
 * the way. CSV rather than binary: a person can read and diff it, and it loads into a newer PostgreSQL unchanged.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { fsyncPath } from "./backup-files";
import type { PublicTable } from "./public-tables";

/** Text formats that read back exactly, whatever the server's or the session's defaults are. */
export async function setPortableTextFormats(client: pg.ClientBase): Promise<void> {
  await client.query("SET LOCAL datestyle = 'ISO, YMD'");
  await client.query("SET LOCAL timezone = 'UTC'");
  await client.query("SET LOCAL intervalstyle = 'postgres'");
  await client.query("SET LOCAL extra_float_digits = 3");
}

function hashing(hash: ReturnType<typeof createHash>, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

const columnList = (client: pg.ClientBase, columns: readonly string[]) => columns.map((c) => client.escapeIdentifier(c)).join(", ");

/** Writes the table (ordered by primary key, so two backups diff line by line) to `file`, fsynced. */
export async function copyTableOut(client: pg.ClientBase, table: PublicTable, file: string): Promise<{ rows: number; bytes: number; sha256: string }> {
  const order = table.primaryKey.length > 0 ? ` ORDER BY ${columnList(client, table.primaryKey)}` : "";
  const sql = `COPY (SELECT ${columnList(client, table.columns)} FROM ${client.escapeIdentifier(table.name)}${order}) TO STDOUT WITH (FORMAT csv, HEADER true)`;
  const source = client.query(copyTo(sql));
  const hash = createHash("sha256");
  const counter = { bytes: 0 };
  await pipeline(source, hashing(hash, counter), createWriteStream(file, { flags: "wx", mode: 0o640 }));
  await fsyncPath(file);
  return { rows: source.rowCount, bytes: counter.bytes, sha256: hash.digest("hex") };
}

/**
 * Loads `file` into the table. HEADER MATCH makes PostgreSQL check the CSV's header against the column list, so a
 * file whose columns were reordered or renamed is refused rather than loaded into the wrong columns. Returns the rows
 * loaded and the SHA-256 of the bytes actually sent (the caller compares it with the verified one).
 */
export async function copyTableIn(
  client: pg.ClientBase,
  table: { name: string; columns: readonly string[] },
  file: string,
): Promise<{ rows: number; sha256: string }> {
  const sql = `COPY ${client.escapeIdentifier(table.name)} (${columnList(client, table.columns)}) FROM STDIN WITH (FORMAT csv, HEADER MATCH)`;
  const sink = client.query(copyFrom(sql));
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hashing(hash, { bytes: 0 }), sink);
  return { rows: sink.rowCount, sha256: hash.digest("hex") };
}
