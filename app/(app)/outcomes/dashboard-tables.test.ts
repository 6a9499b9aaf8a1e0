import { describe, expect, it } from "vitest";
import { summariseBiopsies } from "@/server/services/outcomes/biopsy-summary";
import { summariseModelOutcomes } from "@/server/services/outcomes/model-outcomes";
import { HAND_ROWS } from "@/server/services/outcomes/outcome-rows.test-helper";
import type { OutcomesDashboard } from "@/server/services/outcomes/schemas";
import { comparisonTable, deferredMalignanciesTable, keyFiguresTable, subgroupTable, whatIfTable } from "./dashboard-tables";
import { csvColumns, formatCell, tableCsv } from "./table-spec";

const { missedLesions: _missed, trainingLeftOut, ...figures } = summariseModelOutcomes(HAND_ROWS, { threshold: 0.3, costPerBiopsy: 300 });
const model = {
  ...figures,
  trainingCases: { recorded: true, source: "hand", trainLesions: 0, valLesions: 0, leftOutBiopsied: trainingLeftOut },
  missedMalignancies: { total: 1, lesions: [] },
};

const dashboard: OutcomesDashboard = {
  generatedAt: "2025-04-01T00:00:00.000Z",
  scope: { from: null, to: null, costPerBiopsy: 300 },
  model: { id: "m", version: "v1", status: "ACTIVE", threshold: 0.3, targetSensitivity: 0.95 },
  modelVersions: [],
  safety: {
    deferredLesions: 2,
    deferredWithOutcome: 2,
    malignant: 1,
    lesions: [
      {
        lesionId: "lesion-c",
        mrn: "=MRN-C",
        bodySite: "face",
        deferredAt: "2025-01-09T10:00:00.000Z",
        followUpDate: null,
        modelVersion: "v0",
        histopathologyDiagnosis: "mel",
        confirmation: "histo",
        reportDate: "2025-01-15",
      },
    ],
  },
  outcomes: summariseBiopsies(HAND_ROWS),
  modelOutcomes: model,
  activity: null,
  trends: [],
};

describe("dashboard tables", () => {
  it("key figures carry the figure, its interval and the cases behind it", () => {
    const spec = keyFiguresTable(dashboard);
    const byFigure = new Map(spec.rows.map((row) => [row.figure, row]));
    expect(byFigure.get("Biopsies (lesions with a histopathology result)")).toMatchObject({ value: 8, cases: 9 });
    expect(byFigure.get("Avoidable-biopsy rate")).toMatchObject({ value: 0.5, cases: 4 });
    expect(byFigure.get("Missed malignancies (malignant, scored below the threshold)")).toMatchObject({ value: 1, cases: 3 });
    const rate = byFigure.get("Avoidable-biopsy rate")!;
    expect(formatCell(spec.columns[1]!, rate)).toBe("50.0%");
    expect(formatCell(spec.columns[2]!, rate)).toBe("15.0%");
    const saving = [...byFigure.values()].find((row) => String(row.figure).startsWith("Estimated cost saved"))!;
    expect(saving.value).toBe(600);
    expect(formatCell(spec.columns[1]!, saving)).toBe("600");
  });

  it("a proportion shows as one cell and exports as three columns", () => {
    const spec = comparisonTable(model, 0.3);
    const sensitivity = spec.rows[0]!;
    expect(formatCell(spec.columns[1]!, sensitivity)).toBe("50.0% (9.5%–90.5%)");
    expect(sensitivity.modelFraction).toBe("1 / 2");
    expect(csvColumns(spec).map((column) => column.label)).toEqual([
      "Measure",
      "Model",
      "Model 95% CI lower",
      "Model 95% CI upper",
      "Model cases",
      "Clinician",
      "Clinician 95% CI lower",
      "Clinician 95% CI upper",
      "Clinician cases",
    ]);
    const csv = tableCsv(spec).split("\r\n");
    expect(csv[1]).toBe(`Sensitivity,0.5,${WILSON_HALF.lower},${WILSON_HALF.upper},1 / 2,0.5,${WILSON_HALF.lower},${WILSON_HALF.upper},1 / 2`);
  });

  it("links the deferred malignancies to their lesions and exports the lesion id, defused", () => {
    const spec = deferredMalignanciesTable(dashboard.safety);
    expect(spec.rows[0]).toMatchObject({ mrnHref: "/lesions/lesion-c", diagnosis: "Melanoma (invasive or in situ)", deferredAt: "2025-01-09" });
    const csv = tableCsv(spec);
    expect(csv).toContain("'=MRN-C");
    expect(csv).toContain("lesion-c");
    expect(csv).not.toContain("/lesions/");
  });

  it("the what-if table prices every threshold", () => {
    const spec = whatIfTable(model, 250);
    const atCurrent = spec.rows.find((row) => row.threshold === 0.3)!;
    expect(atCurrent).toMatchObject({ benignAvoided: 2, malignantMissed: 1, saving: 500 });
  });

  it("subgroup tables name their cases", () => {
    const spec = subgroupTable("fitzpatrick", model.subgroups.fitzpatrick, 0.3);
    expect(spec.caption).toContain("7 scored biopsied lesions");
    expect(spec.rows.map((row) => row.group)).toEqual(["Type I", "Type II", "Type V", "not recorded"]);
    expect(formatCell(spec.columns[3]!, spec.rows[3]!)).toBe("—"); // AUC with one class
  });
});

const WILSON_HALF = { lower: 0.09453120573423074, upper: 0.9054687942657693 };
