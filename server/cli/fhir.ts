/**
 * FHIR R4 files from the command line (`npm run fhir -- ...`), the same import and export as the REST routes:
 *
 *   npm run fhir -- import <file.json>                  a Bundle, Patient or DiagnosticReport, all or nothing
 *   npm run fhir -- export [--mrn <MRN>] [--out <file>]  decided flags as a collection Bundle (stdout by default)
 *
 * The database is DATABASE_URL, or the embedded PostgreSQL under DATA_DIR (stop DermFlag first). Changes are
 * audited with no user (the command line). Exit codes: 0 done, 1 refused or failed (reasons on stderr, an
 * OperationOutcome on stdout), 2 wrong command line.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createPrismaClient } from "../db/client";
import { env as loadEnv } from "../env";
import { exportDecidedFlags } from "../fhir/export-decided-flags";
import { importFhir } from "../fhir/import-fhir";
import { operationOutcome, transactionResponse } from "../fhir/responses";
import { fhirSystemsFromEnv } from "../fhir/systems";
import { validateFhirStructure } from "../fhir/validate-structure";
import { exitWithCode, withCliDatabase } from "./database-command";

const USAGE = `Usage:
  npm run fhir -- import <file.json>
  npm run fhir -- export [--mrn <MRN>] [--out <file.json>]`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { help: { type: "boolean" }, mrn: { type: "string" }, out: { type: "string" } },
  });
  const [command, file, ...extra] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!(command === "import" && file && extra.length === 0) && !(command === "export" && !file)) {
    console.error(USAGE);
    return 2;
  }

  let resource: unknown;
  if (command === "import") {
    try {
      resource = JSON.parse(readFileSync(file!, "utf8"));
    } catch (error) {
      console.error(`error: cannot read ${file} as JSON: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  }

  const env = loadEnv();
  const systems = fhirSystemsFromEnv(env);
  return withCliDatabase(env, async (databaseUrl) => {
    const db = createPrismaClient(databaseUrl, { max: 2 });
    try {
      if (command === "import") {
        const result = await importFhir({ db, actorId: null, resource, systems });
        if (!result.ok) {
          console.log(JSON.stringify(operationOutcome(result.issues), null, 2));
          console.error(`Refused, nothing imported (${result.issues.length} reason${result.issues.length === 1 ? "" : "s"}):`);
          for (const issue of result.issues) console.error(`  ${issue.path}: ${issue.message}`);
          return 1;
        }
        console.log(JSON.stringify(transactionResponse(result.entries, result.information), null, 2));
        const counts = new Map<string, number>();
        for (const entry of result.entries) counts.set(`${entry.resourceType} ${entry.outcome}`, (counts.get(`${entry.resourceType} ${entry.outcome}`) ?? 0) + 1);
        console.error(`Imported: ${[...counts].map(([what, n]) => `${n} ${what}`).join(", ") || "nothing"}`);
        return 0;
      }

      const patient = values.mrn ? await db.patient.findUnique({ where: { mrn: values.mrn }, select: { id: true } }) : undefined;
      if (values.mrn && !patient) {
        console.error(`error: no patient with MRN ${values.mrn}`);
        return 1;
      }
      const bundle = await exportDecidedFlags({ db, systems, patientId: patient?.id, bundleType: "collection" });
      // What leaves DermFlag is checked against the same R4 schema as what comes in.
      const issues = validateFhirStructure(bundle);
      if (issues.length > 0) throw new Error(`the export is not valid FHIR R4: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`);
      const text = `${JSON.stringify(bundle, null, 2)}\n`;
      if (values.out) writeFileSync(values.out, text);
      else process.stdout.write(text);
      console.error(`Exported ${bundle.entry?.filter((e) => e.resource?.resourceType === "DiagnosticReport").length ?? 0} decided flags.`);
      return 0;
    } finally {
      await db.$disconnect();
    }
  });
}

exitWithCode(main);
