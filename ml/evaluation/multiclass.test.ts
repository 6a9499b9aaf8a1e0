import { describe, expect, it } from "vitest";
import { accuracy, argmaxRows, confusionMatrix, macroOneVsRestAuc } from "./multiclass";

// Two cases per class. Hand-computed one-vs-rest AUCs (ties count 1/2):
// class 0: positives 0.7, 0.3 vs negatives 0.2, 0.4, 0.1, 0.3 -> (4 + 2.5) / 8 = 0.8125
// class 1: positives 0.5, 0.4 vs negatives 0.2, 0.4, 0.3, 0.3 -> (4 + 3.5) / 8 = 0.9375
// class 2: positives 0.6, 0.4 vs negatives 0.1, 0.3, 0.3, 0.2 -> 8 / 8 = 1
const rows = [
  [0.7, 0.2, 0.1],
  [0.3, 0.4, 0.3],
  [0.2, 0.5, 0.3],
  [0.4, 0.4, 0.2],
  [0.1, 0.3, 0.6],
  [0.3, 0.3, 0.4],
];
const labels = [0, 0, 1, 1, 2, 2];

describe("macroOneVsRestAuc", () => {
  it("averages the one-vs-rest AUCs over classes", () => {
    const result = macroOneVsRestAuc(rows, labels, 3);
    expect(result.perClass).toEqual([0.8125, 0.9375, 1]);
    expect(result.macroAuc).toBeCloseTo(2.75 / 3, 15);
    expect(result.classesEvaluated).toBe(3);
  });

  it("accepts Float32Array rows and a flat row-major Float32Array (tfjs dataSync)", () => {
    const expected = macroOneVsRestAuc(rows, labels, 3);
    expect(macroOneVsRestAuc(rows.map((row) => Float32Array.from(row)), labels, 3)).toEqual(expected);
    expect(macroOneVsRestAuc(Float32Array.from(rows.flat()), Int32Array.from(labels), 3)).toEqual(expected);
  });

  it("leaves a class absent from the labels out of the mean and reports it as null", () => {
    const result = macroOneVsRestAuc(rows.slice(0, 4), labels.slice(0, 4), 3);
    // class 0: positives 0.7, 0.3 vs negatives 0.2, 0.4 -> (2 + 1) / 4;
    // class 1: positives 0.5, 0.4 vs negatives 0.2, 0.4 -> (2 + 1.5) / 4.
    expect(result.perClass).toEqual([0.75, 0.875, null]);
    expect(result.macroAuc).toBe(0.8125);
    expect(result.classesEvaluated).toBe(2);
  });

  it("has no macro AUC when only one class occurs", () => {
    expect(macroOneVsRestAuc([[0.6, 0.4], [0.9, 0.1]], [0, 0], 2)).toEqual({
      macroAuc: null,
      perClass: [null, null],
      classesEvaluated: 0,
    });
  });

  it("rejects malformed probabilities and labels", () => {
    expect(() => macroOneVsRestAuc([[0.5, 0.5]], [0], 3)).toThrow(/row 0/);
    expect(() => macroOneVsRestAuc(rows, [0, 0, 1, 1, 2, 3], 3)).toThrow(/index 5/);
    expect(() => macroOneVsRestAuc(rows, labels.slice(1), 3)).toThrow(RangeError);
    expect(() => macroOneVsRestAuc(new Float32Array(7), [0, 1], 3)).toThrow(/multiple/);
    expect(() => macroOneVsRestAuc([[Number.NaN, 1]], [0], 2)).toThrow(RangeError);
  });
});

describe("argmaxRows, accuracy and confusionMatrix", () => {
  // Case 3 ties 0.4/0.4 between classes 0 and 1: the first wins.
  const predicted = argmaxRows(rows, 3);

  it("predicts the most probable class, the first on ties", () => {
    expect(Array.from(predicted)).toEqual([0, 1, 1, 0, 2, 2]);
    expect(Array.from(argmaxRows(Float32Array.from(rows.flat()), 3))).toEqual([0, 1, 1, 0, 2, 2]);
  });

  it("scores accuracy as the fraction of correct calls", () => {
    expect(accuracy(predicted, labels)).toBeCloseTo(4 / 6, 15);
    expect(accuracy([], [])).toBeNull();
    expect(() => accuracy([0], [0, 1])).toThrow(RangeError);
  });

  it("counts actual classes in rows and predicted classes in columns", () => {
    expect(confusionMatrix(predicted, labels, 3)).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 2],
    ]);
    expect(confusionMatrix([], [], 2)).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(() => confusionMatrix([3], [0], 3)).toThrow(RangeError);
  });
});
