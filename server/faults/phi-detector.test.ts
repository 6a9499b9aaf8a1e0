import { describe, expect, it } from "vitest";
import { findPhi, type PhiValues } from "./phi-detector";

const phi: PhiValues = {
  names: ["Zebulon Quixote-Fairweather"],
  identifiers: ["MRN-PHI-987654"],
  dates: ["1937-04-23"],
  freeText: ["Worried about the Marguerite-Ostrowska tattoo"],
  fileNames: ["Zebulon_Quixote-Fairweather_2026-03-01_back.jpg"],
};

describe("the PHI detector the log tests rely on", () => {
  it("finds nothing in clean logs, nor common words of a note", () => {
    const clean = "[worker] ready\n[worker] tattoo about worried\n[worker] score sweep: 73 images scored, 0 failed, 2 open cases recomputed\n[images] upload failed: Error\n";
    expect(findPhi(clean, phi)).toEqual([]);
  });

  it.each([
    ["the full name", "[upload] failed for Zebulon Quixote-Fairweather", 'name "Zebulon Quixote-Fairweather"'],
    ["a surname alone, in capitals", "PATIENT QUIXOTE-FAIRWEATHER", 'name "Quixote-Fairweather"'],
    ["the MRN", "duplicate key (mrn)=(MRN-PHI-987654)", 'identifier "MRN-PHI-987654"'],
    ["the birth date written day-first", "born 23/04/1937", 'date "23/04/1937"'],
    ["the birth date as a timestamp", '"birthDate":"1937-04-23T00:00:00.000Z"', 'date "1937-04-23"'],
    ["a name inside a clinical note", "note: marguerite-ostrowska", 'free text "Marguerite-Ostrowska"'],
    ["a whole clinical note", "note: worried about the Marguerite-Ostrowska tattoo", 'free text "Worried about the Marguerite-Ostrowska tattoo"'],
    ["an uploaded file's name", "could not read Zebulon_Quixote-Fairweather_2026-03-01_back.jpg", 'file name "Zebulon_Quixote-Fairweather_2026-03-01_back.jpg"'],
  ])("finds %s", (_what, log, expected) => {
    expect(findPhi(`[worker] ready\n${log}\n`, phi)).toContain(expected);
  });
});
