/**
 * `npm run create-admin -- --email you@clinic.example --name "Your Name"`: creates an admin account in the
 * configured database (DATABASE_URL, or the embedded one under DATA_DIR). The password is read from standard input
 * (piped, or typed at the prompt), never from the command line where shell history would keep it.
 */
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { createPrismaClient } from "../db/client";
import { env as loadEnv } from "../env";
import { applyMigrations, provideDatabase } from "../runtime/database";
import { createUser, createUserInput } from "../services/users/users";

const usage = `Usage: npm run create-admin -- --email <email> [--name <name>]
Creates an ADMIN account. The password (12+ characters) is read from standard input.`;

async function readPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  try {
    return (await rl.question("Password for the new admin: ")).trim();
  } finally {
    rl.close();
  }
}

async function main() {
  const { values } = parseArgs({
    options: { email: { type: "string" }, name: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help || !values.email) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  const parsed = createUserInput.safeParse({
    email: values.email,
    name: values.name ?? "Administrator",
    role: "ADMIN",
    password: await readPassword(),
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`${issue.path.join(".")}: ${issue.message}`);
    process.exit(2);
  }
  const env = loadEnv();
  const database = await provideDatabase(env, () => {});
  try {
    await applyMigrations(database.url);
    const db = createPrismaClient(database.url, { max: 1 });
    try {
      const user = await createUser({ db, actorId: null, input: parsed.data });
      console.log(`Created admin ${user.email}.`);
    } finally {
      await db.$disconnect();
    }
  } finally {
    await database.embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
