/**
 * The ml command-line tools as a user meets them: help, clear messages and distinct exit codes for a wrong data
 * folder, a missing or corrupt model and bad options, and predictions for real images.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DERMAMNIST_28_DIR, HAM10000_SAMPLE_DIR } from "../data/shared-data";
import { saveTinyModel } from "../store/model-fixture.test-helper";
import { EXIT, parseDuration, positiveInteger, probability, UsageError } from "./cli-support";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let root: string;
let modelDir: string;

function run(script: "train" | "evaluate" | "predict", args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "ml/cli", `${script}.ts`), ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  root = mkdtempSync(path.join(tmpdir(), "dermflag-cli-"));
  modelDir = (await saveTinyModel(path.join(root, "models"), "v1")).dir;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("option parsing", () => {
  it("reads durations, counts and probabilities, and rejects nonsense with the option's name", () => {
    expect(parseDuration("time-budget", "90")).toBe(90);
    expect(parseDuration("time-budget", "15m")).toBe(900);
    expect(parseDuration("time-budget", "2h")).toBe(7200);
    expect(() => parseDuration("time-budget", "soon")).toThrow(/--time-budget must be a duration/);
    expect(positiveInteger("epochs", "12")).toBe(12);
    expect(() => positiveInteger("epochs", "1.5")).toThrow(UsageError);
    expect(() => positiveInteger("epochs", "")).toThrow(/--epochs must be a positive whole number/);
    expect(probability("target-sensitivity", "0.9")).toBe(0.9);
    expect(() => probability("target-sensitivity", "95")).toThrow(/between 0 and 1/);
    expect(positiveInteger("epochs", undefined)).toBeUndefined();
  });
});

describe("ml CLIs", () => {
  it("print help and exit 0", () => {
    for (const script of ["train", "evaluate", "predict"] as const) {
      const { code, stdout } = run(script, ["--help"]);
      expect(code).toBe(EXIT.ok);
      expect(stdout).toMatch(/^Usage: npm run ml:/);
    }
  });

  it("explain a missing data folder (exit 3) and a bad option (exit 2)", () => {
    const missing = run("train", ["--data", path.join(root, "no-such-data"), "--epochs", "1"]);
    expect(missing.code).toBe(EXIT.data);
    expect(missing.stderr).toMatch(/Data problem: .*no-such-data: data folder not found/);
    const bad = run("train", ["--epochs", "many"]);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/--epochs must be a positive whole number/);
  });

  it("predict: P(malignant) and the flag for real images, JSON on request", () => {
    const image = path.join(HAM10000_SAMPLE_DIR, "images", "ISIC_0024354.jpg");
    const human = run("predict", ["--model", modelDir, image]);
    expect(human.code).toBe(EXIT.ok);
    expect(human.stdout).toMatch(/Model v1 \(threshold 0\.3000, onnxruntime-node@1\.30\.0\/cpu\)/);
    expect(human.stdout).toMatch(/P\(malignant\) \d\.\d{3} .*ISIC_0024354\.jpg/);
    const json = run("predict", ["--model", path.dirname(modelDir), "--json", image, path.join(root, "missing.jpg")]);
    expect(json.code).toBe(EXIT.failure); // one of the two files could not be read
    const [ok, failed] = json.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(ok).toMatchObject({ modelVersion: "v1", threshold: 0.3, aboveThreshold: expect.any(Boolean), pMalignant: expect.any(Number) });
    expect(failed).toMatchObject({ error: "file not found" });
  });

  it("refuse a corrupt model with its code (exit 4)", () => {
    const weights = path.join(modelDir, "weights.bin");
    const original = readFileSync(weights);
    const damaged = Buffer.from(original);
    damaged[10] = damaged[10]! ^ 0x55;
    writeFileSync(weights, damaged);
    try {
      const predict = run("predict", ["--model", modelDir, path.join(DERMAMNIST_28_DIR, "images", "DermaMNIST_test_00000.jpg")]);
      expect(predict.code).toBe(EXIT.model);
      expect(predict.stderr).toMatch(/Model problem \(CHECKSUM_MISMATCH\): .*weights\.bin: SHA-256/);
      const evaluate = run("evaluate", ["--model", modelDir]);
      expect(evaluate.code).toBe(EXIT.model);
    } finally {
      writeFileSync(weights, original);
    }
    const missing = run("evaluate", ["--model", path.join(root, "nothing-here")]);
    expect(missing.code).toBe(EXIT.model);
    expect(missing.stderr).toMatch(/NOT_FOUND/);
  });
});
