/**
 * `npm run models:register -- <model dir> [--promote] [--reason "..."]`: copies a trained model into the model store,
 * registers it with its promotion gates, and optionally installs it as the first active model (a failed gate needs
 * --reason: an audited override). Once a model is active, promotion needs two admins in the app (four-eyes), so
 * --promote is refused. Uses DATABASE_URL, or the embedded database under DATA_DIR.
 */
import { parseArgs } from "node:util";
import { createPrismaClient } from "../db/client";
import { startBoss } from "../jobs/boss";
import { env as loadEnv } from "../env";
import { installModel } from "../services/models/install-model";
import { readGateResults } from "../services/models/promotion-gates";
import { promoteModelVersion } from "../services/models/registry";
import { TRAINING_LESIONS_JSON } from "@/ml/store";
import { applyMigrations, provideDatabase } from "../runtime/database";

const usage = `Usage: npm run models:register -- <model directory> [--promote] [--reason "why the gates are overridden"]`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { promote: { type: "boolean" }, reason: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help || positionals.length !== 1) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  const env = loadEnv();
  const database = await provideDatabase(env, () => {});
  try {
    await applyMigrations(database.url);
    const db = createPrismaClient(database.url, { max: 2 });
    try {
      const registered = await installModel({ db, sourceDir: positionals[0]!, storeDir: env.MODEL_STORE_DIR, dataRoots: [env.SHARED_DATA_DIR] });
      const row = await db.modelVersion.findUniqueOrThrow({ where: { id: registered.id }, select: { gateResults: true } });
      console.log(`Registered ${registered.version} (${registered.status}).`);
      console.log(
        registered.trainingLesions
          ? `  training lesions: ${registered.trainingLesions.lesions} recorded (${registered.trainingLesions.source}); the dashboard leaves them out`
          : `  training lesions: UNKNOWN (no ${TRAINING_LESIONS_JSON}, and no data set under ${env.SHARED_DATA_DIR} matches its data hashes); the dashboard will say so`,
      );
      for (const check of readGateResults(row.gateResults)?.checks ?? []) {
        console.log(`  ${check.passed ? "pass" : "FAIL"}  ${check.detail}`);
      }
      if (values.promote) {
        const active = await db.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { version: true } });
        if (active) {
          throw new Error(
            `${active.version} is active: promoting ${registered.version} needs a request and a second admin's approval on the Models page (four-eyes).`,
          );
        }
        // The re-scoring job is queued in the promotion's own transaction (the worker runs it).
        const boss = await startBoss(database.url, "sender");
        try {
          const promoted = await promoteModelVersion({ db, actorId: null, modelVersionId: registered.id, overrideReason: values.reason ?? null, boss });
          console.log(`Promoted ${promoted.version}: the worker scores images with it.`);
        } finally {
          await boss.stop({ graceful: false });
        }
      }
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
