import { assertFiniteScore } from "./binary-input";
import { aucFromAscendingOrder, ascendingOrder } from "./ranking";

/**
 * Class probabilities per case: rows (number[][] or Float32Array[]), or one flat row-major typed array of
 * length cases x classCount, as tfjs `dataSync()` returns it.
 */
export type ProbabilityRows = ArrayLike<ArrayLike<number>> | Float32Array | Float64Array;

/** Integer class indices (0 .. classCount - 1), e.g. positions in DIAGNOSES. */
export type ClassLabels = ArrayLike<number>;

export interface MulticlassAuc {
  /**
   * Mean one-vs-rest AUC over the classes whose AUC is defined (MedMNIST convention). Null when no class's AUC is
   * defined (fewer than two classes present).
   */
  readonly macroAuc: number | null;
  /** One-vs-rest AUC per class; null for a class absent from the labels (or present in every case). */
  readonly perClass: readonly (number | null)[];
  /** How many classes entered the mean; < classCount means some classes were absent and left out. */
  readonly classesEvaluated: number;
}

/**
 * Macro one-vs-rest ROC AUC: for each class, the AUC of its probability for "this class vs all others", averaged
 * over classes. MedMNIST's evaluator averages over all classes and fails when one is absent; here an absent class
 * has no AUC, is reported as null in perClass and is left out of the mean, so small test splits still get a number
 * and the caller can see it covers fewer classes.
 */
export function macroOneVsRestAuc(
  probabilities: ProbabilityRows,
  labels: ClassLabels,
  classCount: number,
): MulticlassAuc {
  const columns = probabilityColumns(probabilities, labels.length, classCount);
  const classOf = readClassLabels(labels, classCount);
  const perClass: (number | null)[] = [];
  const isClass = new Uint8Array(classOf.length);
  for (let c = 0; c < classCount; c++) {
    for (let i = 0; i < classOf.length; i++) isClass[i] = classOf[i] === c ? 1 : 0;
    const column = columns[c]!;
    perClass.push(aucFromAscendingOrder(ascendingOrder(column), column, isClass));
  }
  const defined = perClass.filter((auc): auc is number => auc !== null);
  const macroAuc = defined.length === 0 ? null : defined.reduce((sum, auc) => sum + auc, 0) / defined.length;
  return { macroAuc, perClass, classesEvaluated: defined.length };
}

/** Index of the largest probability per case (the first one on ties), i.e. the predicted class. */
export function argmaxRows(probabilities: ProbabilityRows, classCount: number): Uint32Array {
  const caseCount = rowCount(probabilities, classCount);
  const columns = probabilityColumns(probabilities, caseCount, classCount);
  const predicted = new Uint32Array(caseCount);
  for (let i = 0; i < caseCount; i++) {
    let best = 0;
    for (let c = 1; c < classCount; c++) if (columns[c]![i]! > columns[best]![i]!) best = c;
    predicted[i] = best;
  }
  return predicted;
}

/** Fraction of cases whose predicted class equals the actual class; null for no cases. */
export function accuracy(predicted: ClassLabels, actual: ClassLabels): number | null {
  if (predicted.length !== actual.length) {
    throw new RangeError(`predicted (${predicted.length}) and actual (${actual.length}) must have the same length`);
  }
  if (actual.length === 0) return null;
  let correct = 0;
  for (let i = 0; i < actual.length; i++) if (predicted[i] === actual[i]) correct++;
  return correct / actual.length;
}

/** matrix[actual][predicted] = number of cases: rows are the truth, columns the model's call. */
export function confusionMatrix(predicted: ClassLabels, actual: ClassLabels, classCount: number): number[][] {
  if (predicted.length !== actual.length) {
    throw new RangeError(`predicted (${predicted.length}) and actual (${actual.length}) must have the same length`);
  }
  const predictedClass = readClassLabels(predicted, classCount);
  const actualClass = readClassLabels(actual, classCount);
  const matrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let i = 0; i < actualClass.length; i++) matrix[actualClass[i]!]![predictedClass[i]!]!++;
  return matrix;
}

function assertClassCount(classCount: number): void {
  if (!Number.isInteger(classCount) || classCount < 1) throw new RangeError(`classCount must be a positive integer, got ${classCount}`);
}

function readClassLabels(labels: ClassLabels, classCount: number): Uint32Array {
  assertClassCount(classCount);
  const out = new Uint32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === undefined || !Number.isInteger(label) || label < 0 || label >= classCount) {
      throw new RangeError(`class label at index ${i} is ${String(label)}; expected an integer in [0, ${classCount - 1}]`);
    }
    out[i] = label;
  }
  return out;
}

function rowCount(probabilities: ProbabilityRows, classCount: number): number {
  assertClassCount(classCount);
  if (!isFlat(probabilities)) return probabilities.length;
  if (probabilities.length % classCount !== 0) {
    throw new RangeError(`flat probabilities of length ${probabilities.length} are not a multiple of ${classCount} classes`);
  }
  return probabilities.length / classCount;
}

/** One float64 column per class, validated: the per-class AUC needs columns, and a NaN must not sort silently. */
function probabilityColumns(probabilities: ProbabilityRows, caseCount: number, classCount: number): Float64Array[] {
  const rows = rowCount(probabilities, classCount);
  if (rows !== caseCount) throw new RangeError(`probabilities have ${rows} rows but there are ${caseCount} labels`);
  const columns = Array.from({ length: classCount }, () => new Float64Array(caseCount));
  if (isFlat(probabilities)) {
    for (let i = 0; i < caseCount; i++) {
      for (let c = 0; c < classCount; c++) columns[c]![i] = assertFiniteScore(probabilities[i * classCount + c], i);
    }
    return columns;
  }
  for (let i = 0; i < caseCount; i++) {
    const row = probabilities[i];
    if (row === undefined || row.length !== classCount) {
      throw new RangeError(`probability row ${i} has ${row?.length ?? 0} entries; expected ${classCount}`);
    }
    for (let c = 0; c < classCount; c++) columns[c]![i] = assertFiniteScore(row[c], i);
  }
  return columns;
}

function isFlat(probabilities: ProbabilityRows): probabilities is Float32Array | Float64Array {
  return probabilities instanceof Float32Array || probabilities instanceof Float64Array;
}
