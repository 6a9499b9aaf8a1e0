/**
 * The role the web server and the worker connect as on the embedded PostgreSQL. The launcher migrates and bootstraps
 * as the cluster's superuser (which owns every table); the running app only reads and writes rows. It owns nothing,
 * so it can neither alter nor drop a table or a trigger (ALTER TABLE ... DISABLE TRIGGER needs the owner), and it has
 * no UPDATE, DELETE or TRUNCATE on AuditLog: the append-only rule holds twice against it, by privilege and by the
 * trigger. Granted at every start, after the migrations, so tables a new migration adds are covered.
 */
import pg from "pg";
import { BOSS_SCHEMA, startBoss } from "../jobs/boss";
import { randomPassword, readSecretFile, writeSecretFile } from "../db/embedded-postgres";

export const APP_ROLE = "dermflag_app";
const AUDIT_TABLE = "AuditLog";
const MIGRATIONS_TABLE = "_prisma_migrations";

/**
 * pg-boss's own queue for cron schedules: its scheduler creates it on start and ignores a failure, which the app
 * role's would be (a queue is a table), and schedules would then never fire. Internal to pg-boss 10 (timekeeper.js).
 */
export const BOSS_CRON_QUEUE = "__pgboss__send-it";

/**
 * As the owner, before the app starts: installs or upgrades pg-boss's schema and creates every queue (each is a
 * table), so that the app role only ever reads and writes queue rows.
 */
export async function prepareJobQueue(ownerUrl: string): Promise<void> {
  const boss = await startBoss(ownerUrl, "sender");
  try {
    if (!(await boss.getQueue(BOSS_CRON_QUEUE))) await boss.createQueue(BOSS_CRON_QUEUE);
  } finally {
    await boss.stop({ graceful: false });
  }
}

/**
 * Row privileges of `role` in the database `client` is connected to (as the tables' owner). Idempotent. The job
 * queue's schema must exist already (prepareJobQueue).
 */
export async function grantAppPrivileges(client: pg.ClientBase, role: string): Promise<void> {
  const r = pg.escapeIdentifier(role);
  const boss = pg.escapeIdentifier(BOSS_SCHEMA);
  await client.query("BEGIN");
  try {
    // PostgreSQL 15+ already denies PUBLIC the CREATE privilege on `public`; older servers and old clusters did not.
    await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    for (const schema of ["public", boss]) {
      await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${r}`);
      await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${r}`);
      await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${r}`);
    }
    await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${pg.escapeIdentifier(AUDIT_TABLE)} FROM ${r}`);
    // Migration history is the owner's business (migrate deploy, backup/restore), not the app's.
    const history = await client.query("SELECT to_regclass($1) IS NOT NULL AS present", [pg.escapeIdentifier(MIGRATIONS_TABLE)]);
    if (history.rows[0].present) await client.query(`REVOKE ALL ON ${pg.escapeIdentifier(MIGRATIONS_TABLE)} FROM ${r}`);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}

/**
 * Creates (or updates) the app role with the password kept in `passwordFile` (mode 0600, generated on first use),
 * grants its privileges in the database at `ownerUrl`, and returns the app's connection string to that database.
 */
export async function prepareAppRole(ownerUrl: string, passwordFile: string, role = APP_ROLE): Promise<string> {
  let password = readSecretFile(passwordFile);
  if (!password) {
    password = randomPassword();
    writeSecretFile(passwordFile, password);
  }
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const r = pg.escapeIdentifier(role);
    const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
    if (exists.rowCount === 0) await client.query(`CREATE ROLE ${r}`);
    // Every start: the file is the truth, and the attributes stay those of a plain login role.
    await client.query(
      `ALTER ROLE ${r} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${pg.escapeLiteral(password)}`,
    );
    await grantAppPrivileges(client, role);
  } finally {
    await client.end();
  }
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = encodeURIComponent(password);
  return url.toString();
}
