/**
 * Synthetic clinic data for the dashboard benchmark: patients, lesions with 1-3 images, predictions by an active and
 * a retired model version for every image, assessments, outcomes (most of them biopsies), flags and reviews, spread
 * over 24 months. Deterministic (seeded), written with multi-row INSERTs of column arrays (`unnest`), 5,000 rows per
 * statement. The numbers only need to look like a clinic's, not to be one: scores of malignant lesions are drawn
 * higher so that AUC, calibration and the what-if curve have realistic shapes to compute.
 */
import type pg from "pg";
import { createRng } from "@/ml/random";
import { BODY_SITES } from "@/server/services/clinical/vocabulary";

export interface SeedCounts {
  patients: number;
  lesions: number;
  images: number;
  predictions: number;
  assessments: number;
  outcomes: number;
  histoOutcomes: number;
  flags: number;
  reviews: number;
}

const BATCH = 5000;
const SEXES = ["FEMALE", "MALE", "OTHER", "UNKNOWN"] as const;
const IMPRESSIONS = ["BENIGN", "MALIGNANT", "UNCERTAIN"] as const;
const PLANS = ["BIOPSY", "MONITOR", "DISCHARGE"] as const;
const DECISIONS = ["PROCEED_BIOPSY", "DEFER_MONITOR", "SECOND_READ"] as const;

type Column = { name: string; type: string; values: (string | number | boolean | null)[] };

/** INSERT INTO table (cols) SELECT * FROM unnest($1::type[], ...), in batches. */
async function insertColumns(client: pg.Client, table: string, columns: Column[]): Promise<void> {
  const rows = columns[0]?.values.length ?? 0;
  const names = columns.map((column) => `"${column.name}"`).join(", ");
  const params = columns.map((column, index) => `$${index + 1}::${column.type}[]`).join(", ");
  for (let start = 0; start < rows; start += BATCH) {
    await client.query(
      `INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${params})`,
      columns.map((column) => column.values.slice(start, start + BATCH)),
    );
  }
}

const pad = (n: number) => String(n).padStart(7, "0");
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export async function seedDashboardData(client: pg.Client, options: { lesions: number; seed?: number }): Promise<SeedCounts> {
  const random = createRng(options.seed ?? 20261126);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const now = new Date().toISOString();
  const monthDate = (month: number, day: number) => {
    const year = 2023 + Math.floor(month / 12);
    return `${year}-${String((month % 12) + 1).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  };

  await client.query(
    `INSERT INTO "User" (id, email, name, role, "passwordHash", "updatedAt") VALUES ('bench-user', 'bench@dermflag.example', 'Bench Clinician', 'DERMATOLOGIST', 'x', now())`,
  );
  for (const [id, status, threshold] of [
    ["bench-active", "ACTIVE", 0.3],
    ["bench-retired", "RETIRED", 0.4],
  ] as const) {
    await client.query(
      `INSERT INTO "ModelVersion" (id, version, status, architecture, "inputSize", threshold, "targetSensitivity", metrics, "storagePath", sha256, "trainingDataHash", "codeVersion")
       VALUES ($1, $1, $2, 'bench', 28, $3, 0.95, '{}', '/nonexistent', $4, 'bench', 'bench')`,
      [id, status, threshold, "0".repeat(64)],
    );
  }

  const patientCount = Math.max(1, Math.round(options.lesions / 2.5));
  const patients: Column[] = [
    { name: "id", type: "text", values: [] },
    { name: "mrn", type: "text", values: [] },
    { name: "name", type: "text", values: [] },
    { name: "sex", type: '"Sex"', values: [] },
    { name: "birthDate", type: "date", values: [] },
    { name: "fitzpatrickType", type: "smallint", values: [] },
    { name: "updatedAt", type: "timestamp", values: [] },
  ];
  for (let p = 0; p < patientCount; p++) {
    const values = [`p${pad(p)}`, `BENCH-${pad(p)}`, `Bench Patient ${p}`, pick(SEXES), random() < 0.05 ? null : `${1935 + Math.floor(random() * 70)}-06-15`, random() < 0.15 ? null : 1 + Math.floor(random() * 6), now];
    values.forEach((value, index) => patients[index]!.values.push(value));
  }
  await insertColumns(client, "Patient", patients);

  const lesions: Column[] = [
    { name: "id", type: "text", values: [] },
    { name: "patientId", type: "text", values: [] },
    { name: "bodySite", type: "text", values: [] },
    { name: "label", type: "text", values: [] },
    { name: "updatedAt", type: "timestamp", values: [] },
  ];
  const images: Column[] = ["id", "lesionId", "contentHash", "storageKey", "width", "height", "mimeType", "byteSize"].map((name) => ({
    name,
    type: ["width", "height", "byteSize"].includes(name) ? "int" : "text",
    values: [],
  }));
  const predictions: Column[] = [
    { name: "id", type: "text", values: [] },
    { name: "imageId", type: "text", values: [] },
    { name: "modelVersionId", type: "text", values: [] },
    { name: "probabilities", type: "jsonb", values: [] },
    { name: "pMalignant", type: "float8", values: [] },
    { name: "threshold", type: "float8", values: [] },
    { name: "aboveThreshold", type: "bool", values: [] },
    { name: "backend", type: "text", values: [] },
    { name: "latencyMs", type: "float8", values: [] },
  ];
  const assessments: Column[] = [
    { name: "id", type: "text", values: [] },
    { name: "lesionId", type: "text", values: [] },
    { name: "clinicianId", type: "text", values: [] },
    { name: "impression", type: '"Impression"', values: [] },
    { name: "plan", type: '"Plan"', values: [] },
    { name: "assessedAt", type: "timestamp", values: [] },
  ];
  const outcomes: Column[] = [
    { name: "id", type: "text", values: [] },
    { name: "lesionId", type: "text", values: [] },
    { name: "histopathologyDiagnosis", type: "text", values: [] },
    { name: "malignant", type: "bool", values: [] },
    { name: "reportDate", type: "date", values: [] },
    { name: "confirmation", type: "text", values: [] },
  ];
  const flags: Column[] = [
    { name: "id", type: "text", values: [] },
    { name: "lesionId", type: "text", values: [] },
    { name: "kind", type: '"FlagKind"', values: [] },
    { name: "status", type: '"FlagStatus"', values: [] },
    { name: "reason", type: "text", values: [] },
    { name: "biopsyPlanned", type: "bool", values: [] },
    { name: "pMalignant", type: "float8", values: [] },
    { name: "threshold", type: "float8", values: [] },
    { name: "modelVersionId", type: "text", values: [] },
    { name: "createdAt", type: "timestamp", values: [] },
    { name: "updatedAt", type: "timestamp", values: [] },
  ];
  const reviews: Column[] = [
    { name: "id", type: "text", values: [] },
    { name: "flagId", type: "text", values: [] },
    { name: "reviewerId", type: "text", values: [] },
    { name: "decision", type: '"ReviewDecision"', values: [] },
    { name: "followUpDate", type: "date", values: [] },
    { name: "createdAt", type: "timestamp", values: [] },
  ];
  const push = (table: Column[], values: (string | number | boolean | null)[]) => values.forEach((value, index) => table[index]!.values.push(value));

  let imageCount = 0;
  let histo = 0;
  for (let l = 0; l < options.lesions; l++) {
    const lesionId = `l${pad(l)}`;
    const malignant = random() < 0.2;
    const month = Math.floor(random() * 24);
    push(lesions, [lesionId, `p${pad(l % patientCount)}`, pick(BODY_SITES), `Bench lesion ${l}`, now]);

    const imagesHere = 1 + (random() < 0.45 ? 1 : 0) + (random() < 0.15 ? 1 : 0);
    let activeScore = 0;
    for (let k = 0; k < imagesHere; k++) {
      const imageId = `i${pad(l)}-${k}`;
      push(images, [imageId, lesionId, `${lesionId}-${k}`.padEnd(64, "0"), `bench/${imageId}`, 600, 450, "image/jpeg", 50_000]);
      imageCount++;
      for (const [modelId, threshold, shift] of [
        ["bench-active", 0.3, 2.2],
        ["bench-retired", 0.4, 1.4],
      ] as const) {
        const score = sigmoid(-1.6 + (malignant ? shift : 0) + 1.1 * gaussian());
        if (modelId === "bench-active") activeScore = Math.max(activeScore, score);
        push(predictions, [`${imageId}-${modelId}`, imageId, modelId, JSON.stringify({ mel: score, nv: 1 - score }), score, threshold, score >= threshold, "bench", 5]);
      }
    }

    const suspicious = random() < (malignant ? 0.85 : 0.45);
    const impression = suspicious ? pick(IMPRESSIONS.slice(1)) : "BENIGN";
    const plan = suspicious ? (random() < 0.8 ? "BIOPSY" : "MONITOR") : pick(PLANS.slice(1));
    push(assessments, [`a${pad(l)}`, lesionId, "bench-user", impression, plan, `${monthDate(month, 1)} 09:00:00`]);

    if (random() < 0.6) {
      const biopsied = plan === "BIOPSY" || random() < 0.3;
      if (biopsied) histo++;
      push(outcomes, [`o${pad(l)}`, lesionId, malignant ? pick(["mel", "bcc", "akiec"]) : pick(["nv", "bkl", "df", "vasc"]), malignant, monthDate(month, 20), biopsied ? "histo" : "follow_up"]);
    }

    if (random() < 0.25) {
      const kind = activeScore < 0.3 ? "LIKELY_BENIGN" : plan === "BIOPSY" ? "REVIEW_REQUIRED" : "POSSIBLE_MISSED_MALIGNANCY";
      const status = pick(["OPEN", "DECIDED", "CLOSED", "SUPERSEDED"] as const);
      const flagId = `f${pad(l)}`;
      push(flags, [flagId, lesionId, kind, status, "bench", plan === "BIOPSY", activeScore, 0.3, "bench-active", `${monthDate(month, 5)} 10:00:00`, now]);
      if (status === "DECIDED" || status === "CLOSED") {
        const decision = kind === "LIKELY_BENIGN" && random() < 0.6 ? "DEFER_MONITOR" : pick(DECISIONS);
        push(reviews, [`r${pad(l)}`, flagId, "bench-user", decision, decision === "DEFER_MONITOR" ? monthDate(Math.min(month + 3, 23), 1) : null, `${monthDate(month, 6)} 11:00:00`]);
      }
    }
  }

  await insertColumns(client, "Lesion", lesions);
  await insertColumns(client, "LesionImage", images);
  await insertColumns(client, "Prediction", predictions);
  await insertColumns(client, "ClinicalAssessment", assessments);
  await insertColumns(client, "BiopsyOutcome", outcomes);
  await insertColumns(client, "Flag", flags);
  await insertColumns(client, "Review", reviews);
  // Fresh statistics, as autovacuum would have them on a database that grew over months.
  await client.query("ANALYZE");

  return {
    patients: patientCount,
    lesions: options.lesions,
    images: imageCount,
    predictions: predictions[0]!.values.length,
    assessments: assessments[0]!.values.length,
    outcomes: outcomes[0]!.values.length,
    histoOutcomes: histo,
    flags: flags[0]!.values.length,
    reviews: reviews[0]!.values.length,
  };
}
