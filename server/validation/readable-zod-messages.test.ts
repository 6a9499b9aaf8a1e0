import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { biopsyOutcomeFormSchema } from "@/server/services/clinical/schemas";
import { amendOutcomeSchema } from "@/server/services/clinical/correction-schemas";
import { installReadableZodMessages, readableZodSummary } from "./readable-zod-messages";

const messages = (result: { error?: z.ZodError }) => result.error?.issues.map((issue) => issue.message) ?? [];

beforeAll(() => installReadableZodMessages());

describe("zod's messages as a clinician reads them", () => {
  const form = z.object({
    reason: z.string().trim().min(1).max(200),
    overrideReason: z.string().trim().min(1),
    epochs: z.number().int().min(1).max(50),
    bodySite: z.enum(["arm", "leg"]),
    email: z.email(),
  });

  it("names the field and the limit instead of zod's developer wording", () => {
    const result = form.safeParse({ reason: "x".repeat(201), overrideReason: "ok", epochs: 80, bodySite: "arm", email: "nope" });
    expect(messages(result)).toEqual(["Reason: at most 200 characters.", "Epochs: at most 50.", "Email: enter an email address like name@clinic.example."]);
    expect(messages(result).join(" ")).not.toMatch(/Too big|expected|<=/);
  });

  it("asks for an empty required field by name", () => {
    const result = form.safeParse({ reason: "   ", overrideReason: "", epochs: 2.5, bodySite: "", email: "a@clinic.example" });
    expect(messages(result)).toEqual(["Please enter a reason.", "Please enter an override reason.", "Epochs: enter a whole number.", "Please choose a body site."]);
  });

  it("keeps a schema's own message", () => {
    expect(messages(z.object({ reason: z.string().trim().min(1, "Say why you roll back.") }).safeParse({ reason: "" }))).toEqual(["Say why you roll back."]);
  });

  it("an empty histopathology report date asks for the date, once, not for a format", () => {
    expect(messages(biopsyOutcomeFormSchema.safeParse({ histopathologyDiagnosis: "mel", reportDate: "" }))).toEqual(["Enter the date of the histopathology report."]);
    expect(messages(biopsyOutcomeFormSchema.safeParse({ histopathologyDiagnosis: "mel", reportDate: "31/01/2026" }))).toEqual(["Use a date like 2026-01-31."]);
    expect(messages(biopsyOutcomeFormSchema.safeParse({ histopathologyDiagnosis: "mel", reportDate: "2999-01-01" }))).toEqual(["The report date cannot be in the future."]);
  });

  it("labels a nested field by its own name and sums up a refused input in one line, each message once", () => {
    const result = amendOutcomeSchema.safeParse({ outcomeId: "x".repeat(65), reason: "", outcome: { histopathologyDiagnosis: "mel", reportDate: "" } });
    expect(messages(result)).toContain("Outcome id: at most 64 characters.");
    const twice = z.object({ a: z.string().min(1, "Same."), b: z.string().min(1, "Same.") }).safeParse({ a: "", b: "" });
    expect(readableZodSummary(twice.error!)).toBe("Same.");
  });
});
