import { describe, expect, it } from "vitest";
import { criteriaTimeline, crossSourceCases, histopathologyCodeFor, orderCases, type CriteriaPoint } from "./new-clinic-support";

const points = (verdicts: string): CriteriaPoint[] =>
  [...verdicts].map((c, i) => ({ outcome: i + 1, criteriaMet: c === "1", metIgnoringSafetyEvents: c !== "0" }));

describe("when the acceptance criteria held along the replay", () => {
  it("never met", () => {
    expect(criteriaTimeline(points("0000"))).toEqual({ firstMetAfter: null, firstLostAfter: null, heldFromThenOn: null, outcomesMet: 0, stretches: [] });
    expect(criteriaTimeline([])).toEqual({ firstMetAfter: null, firstLostAfter: null, heldFromThenOn: null, outcomesMet: 0, stretches: [] });
  });

  it("met from some result to the end", () => {
    expect(criteriaTimeline(points("00111"))).toEqual({ firstMetAfter: 3, firstLostAfter: null, heldFromThenOn: 3, outcomesMet: 3, stretches: [[3, 5]] });
  });

  it("met, lost, met again: the first crossing, the first loss and the last stretch", () => {
    expect(criteriaTimeline(points("0110011"))).toEqual({ firstMetAfter: 2, firstLostAfter: 4, heldFromThenOn: 6, outcomesMet: 4, stretches: [[2, 3], [6, 7]] });
  });

  it("met, then lost for good", () => {
    expect(criteriaTimeline(points("1100"))).toMatchObject({ firstMetAfter: 1, firstLostAfter: 3, heldFromThenOn: null, stretches: [[1, 2]] });
  });

  it("reads either verdict: strict, or ignoring unacknowledged safety events", () => {
    // "x": every check but the safety-event count holds.
    expect(criteriaTimeline(points("0xx1"), "criteriaMet").firstMetAfter).toBe(4);
    expect(criteriaTimeline(points("0xx1"), "metIgnoringSafetyEvents")).toMatchObject({ firstMetAfter: 2, heldFromThenOn: 2, outcomesMet: 3 });
  });

  it("uses the outcome numbers given (a sampled timeline) and refuses points out of order", () => {
    const sampled = [1, 5, 9].map((outcome, i) => ({ outcome, criteriaMet: i > 0, metIgnoringSafetyEvents: i > 0 }));
    expect(criteriaTimeline(sampled)).toMatchObject({ firstMetAfter: 5, heldFromThenOn: 5, stretches: [[5, 9]] });
    expect(() => criteriaTimeline([...sampled].reverse())).toThrow(/increasing/);
  });
});

describe("the clinic's cases", () => {
  const csv = [
    "file,split,image_id,diagnosis,malignant,ham10000_lesion_id,ham10000_dx_type",
    "train/malignant/ISIC_0025780.jpg,train,ISIC_0025780,actinic keratosis,1,HAM_0006587,histo",
    "train/malignant/ISIC_0000002.jpg,train,ISIC_0000002,melanoma,1,,",
    "train/benign/ISIC_0000001.jpg,train,ISIC_0000001,nevus,0,,",
    "test/malignant/ISIC_0010000.jpg,test,ISIC_0010000,squamous cell carcinoma,1,,",
  ].join("\r\n");

  it("are the rows without a HAM10000 lesion id (CRLF or not)", () => {
    expect(crossSourceCases(csv)).toEqual([
      { imageId: "ISIC_0000002", file: "train/malignant/ISIC_0000002.jpg", diagnosis: "melanoma", malignant: true },
      { imageId: "ISIC_0000001", file: "train/benign/ISIC_0000001.jpg", diagnosis: "nevus", malignant: false },
      { imageId: "ISIC_0010000", file: "test/malignant/ISIC_0010000.jpg", diagnosis: "squamous cell carcinoma", malignant: true },
    ]);
    expect(() => crossSourceCases("file,image_id,diagnosis,malignant,ham10000_lesion_id\na.jpg,ISIC_1,nevus,yes,\n")).toThrow(/malignant must be 0 or 1/);
  });

  it("arrive in id order, or in a seeded shuffle that is the same for the same seed and independent of the input order", () => {
    const cases = Array.from({ length: 50 }, (_, i) => ({ imageId: `ISIC_${String(1000 - i).padStart(7, "0")}` }));
    const byId = orderCases(cases, { kind: "id" }).map((c) => c.imageId);
    expect(byId).toEqual([...byId].sort());
    const shuffled = orderCases(cases, { kind: "shuffle", seed: 13 }).map((c) => c.imageId);
    expect(shuffled).toEqual(orderCases([...cases].reverse(), { kind: "shuffle", seed: 13 }).map((c) => c.imageId));
    expect(shuffled).not.toEqual(byId);
    expect(shuffled).not.toEqual(orderCases(cases, { kind: "shuffle", seed: 14 }).map((c) => c.imageId));
    expect([...shuffled].sort()).toEqual(byId);
  });

  it("are entered as the histopathology result the archive diagnosis names, or refused", () => {
    expect(histopathologyCodeFor("melanoma", true)).toBe("mel");
    expect(histopathologyCodeFor("Nevus", false)).toBe("nv");
    expect(histopathologyCodeFor("seborrheic keratosis", false)).toBe("bkl");
    expect(histopathologyCodeFor("squamous cell carcinoma", true)).toBe("scc");
    expect(histopathologyCodeFor("actinic keratosis", true)).toBe("akiec");
    expect(() => histopathologyCodeFor("melanoma", false)).toThrow(/contradicts/);
    expect(() => histopathologyCodeFor("lentigo maligna", true)).toThrow(/no histopathology code/);
  });
});
