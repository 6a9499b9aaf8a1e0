/**
 * What the database command lines (`npm run backup`, `npm run restore`, `npm run fhir`) share: the configuration, a
 * database (DATABASE_URL or the embedded one, stopped again at the end), and exit codes 0 done, 1 refused or failed
 * (the error's message on stderr), 2 wrong command line.
 */
import { parseArgs } from "node:util";
import { env as loadEnv, type Env } from "../env";
import { provideCliDatabase } from "../services/backup/provide-cli-database";

/** Runs `main` and exits with the code it returns; a thrown error prints its message and exits 1. */
export function exitWithCode(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}

/** Runs `task` with the configured database, and stops an embedded one afterwards, whatever `task` did. */
export async function withCliDatabase<T>(env: Env, task: (databaseUrl: string) => Promise<T>): Promise<T> {
  const database = await provideCliDatabase(env, (line) => console.error(line));
  try {
    return await task(database.url);
  } finally {
    await database.embedded?.stop();
  }
}

/** A command line of one folder argument (backup, restore). */
export function runDatabaseCommand(usage: string, run: (folder: string, context: { env: Env; databaseUrl: string }) => Promise<void>): void {
  exitWithCode(async () => {
    const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: "boolean" } } });
    if (values.help || positionals.length !== 1) {
      console.log(usage);
      return values.help ? 0 : 2;
    }
    const env = loadEnv();
    await withCliDatabase(env, (databaseUrl) => run(positionals[0]!, { env, databaseUrl }));
    return 0;
  });
}
