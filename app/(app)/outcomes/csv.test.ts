import { describe, expect, it } from "vitest";
import { csvCell, csvFileName, toCsv } from "./csv";

describe("toCsv", () => {
  it("writes a header and one line per row, quoting what needs quoting", () => {
    const csv = toCsv(
      [
        { key: "site", label: "Body site" },
        { key: "n", label: "Cases" },
        { key: "auc", label: "AUC" },
      ],
      [
        { site: "lower extremity, left", n: 12, auc: 0.8125 },
        { site: 'the "back"', n: 3, auc: null },
      ],
    );
    expect(csv).toBe('Body site,Cases,AUC\r\n"lower extremity, left",12,0.8125\r\n"the ""back""",3,\r\n');
  });

  it("defuses cells a spreadsheet would run as formulas, but leaves numbers alone", () => {
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("@SUM")).toBe("'@SUM");
    expect(csvCell(-0.25)).toBe("-0.25");
    expect(csvCell(Number.NaN)).toBe("");
    expect(csvCell(true)).toBe("true");
  });

  it("names files safely", () => {
    expect(csvFileName("outcomes", "Model vs clinician", "2025-01")).toBe("outcomes-model-vs-clinician-2025-01.csv");
    expect(csvFileName("??")).toBe("table.csv");
  });
});
