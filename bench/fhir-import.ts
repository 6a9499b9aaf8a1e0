/**
 * FHIR import speed: one transaction Bundle of N patients, each with one pathology DiagnosticReport + Observation for
 * a lesion that waits with an open flag, into a fresh, migrated database on an embedded PostgreSQL; then the same
 * Bundle again (the integration engine's retry: nothing new). Prints JSON; writes nothing.
 *
 *   npx tsx bench/fhir-import.ts [--patients 100]
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createPrismaClient } from "@/server/db/client";
import { startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { pathologyBundle } from "@/server/fhir/fixtures/pathology-bundle";
import { importFhir } from "@/server/fhir/import-fhir";
import { validateFhirStructure } from "@/server/fhir/validate-structure";

const { values } = parseArgs({ options: { patients: { type: "string", default: "100" } } });
const patients = Number(values.patients);
const systems = { mrnSystem: undefined, lesionSystem: "urn:dermflag:lesion" };

const dataDir = path.join(os.tmpdir(), `dermflag-fhir-bench-${process.pid}`);
const postgres = await startEmbeddedPostgres({ dataDir, port: 54397, persistent: false });
try {
  await postgres.createDatabase("bench");
  const url = postgres.urlFor("bench");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const migrations = path.resolve("prisma/migrations");
  for (const name of readdirSync(migrations).filter((n) => !n.endsWith(".toml")).sort()) {
    await client.query(readFileSync(path.join(migrations, name, "migration.sql"), "utf8"));
  }
  await client.end();
  const db = createPrismaClient(url, { max: 4 });

  const entries = [];
  for (let i = 0; i < patients; i++) {
    const mrn = `BENCH-${i}`;
    const patient = await db.patient.create({ data: { mrn, name: "Bench Patient" } });
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "bench" } });
    await db.flag.create({ data: { lesionId: lesion.id, kind: "LIKELY_BENIGN", reason: "bench", biopsyPlanned: true, pMalignant: 0.1, threshold: 0.3 } });
    const bundle = pathologyBundle({
      mrn,
      familyName: "Patient",
      givenName: "Bench",
      lesionId: lesion.id,
      accession: `S26-${100000 + i}`,
      diagnosis: i % 2 ? { dermflag: "nv", display: "Melanocytic nevus" } : { snomedCt: "254701007", display: "Basal cell carcinoma of skin" },
    });
    entries.push(...bundle.entry);
  }
  const bundle = { resourceType: "Bundle", type: "transaction", entry: entries };

  let started = performance.now();
  validateFhirStructure({ resourceType: "Patient" });
  const schemaCompileMs = performance.now() - started;
  const timed = async () => {
    const t = performance.now();
    const result = await importFhir({ db, actorId: null, resource: bundle, systems });
    if (!result.ok) throw new Error(JSON.stringify(result.issues.slice(0, 3)));
    return performance.now() - t;
  };
  const firstMs = await timed();
  const retryMs = await timed();
  started = performance.now();
  const structureMs = (validateFhirStructure(bundle), performance.now() - started);
  const outcomes = await db.biopsyOutcome.count();
  const closed = await db.flag.count({ where: { status: "CLOSED" } });
  await db.$disconnect();
  console.log(
    JSON.stringify(
      {
        patients,
        bundleEntries: entries.length,
        bundleBytes: JSON.stringify(bundle).length,
        schemaCompileMs: Math.round(schemaCompileMs),
        structureValidationMs: Math.round(structureMs),
        firstImportMs: Math.round(firstMs),
        retryImportMs: Math.round(retryMs),
        outcomes,
        flagsClosed: closed,
        loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
      },
      null,
      2,
    ),
  );
} finally {
  await postgres.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
