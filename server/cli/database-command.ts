/**
 * What `npm run backup` and `npm run restore` share: one folder argument, the configuration, a database (DATABASE_URL
 * or the embedded one, stopped again at the end), and exit codes 0 done, 1 refused or failed, 2 wrong command line.
 */
import { parseArgs } from "node:util";
import { env as loadEnv, type Env } from "../env";
import { provideCliDatabase } from "../services/backup/provide-cli-database";

export function runDatabaseCommand(usage: string, run: (folder: string, context: { env: Env; databaseUrl: string }) => Promise<void>): void {
  const main = async (): Promise<number> => {
    const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: "boolean" } } });
    if (values.help || positionals.length !== 1) {
      console.log(usage);
      return values.help ? 0 : 2;
    }
    const env = loadEnv();
    const database = await provideCliDatabase(env, (line) => console.error(line));
    try {
      await run(positionals[0]!, { env, databaseUrl: database.url });
      return 0;
    } finally {
      await database.embedded?.stop();
    }
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
