/**
 * `npm run ml:predict -- [--model <dir>] <image files...>`: P(malignant), the flag at the model's threshold and
 * each diagnosis's probability for each image, as an upload would get them.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DIAGNOSES } from "../diagnoses";
import { ENGINE_KINDS } from "../inference/engines/engine";
import { loadPredictor } from "../inference/predictor";
import { resolveModelDir } from "../store/find-models";
import { oneOf, runCli, UsageError } from "./cli-support";

const usage = `Usage: npm run ml:predict -- [options] <image files...>

Prints, for each image (JPEG, PNG, TIFF, WebP), P(malignant), whether it reaches the model's operating
threshold (FLAG) and the probability of each diagnosis. A second look, not a diagnosis.

Options:
  --model <dir>               a model version folder, or a models folder (newest version) (default models)
  --engine <auto|onnx|tfjs>   default auto
  --json                      one JSON object per line
  -h, --help                  show this help

Exit codes: 0 ok, 1 some image could not be read, 2 usage, 4 model missing/corrupt.`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { model: { type: "string" }, engine: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (positionals.length === 0) throw new UsageError("give at least one image file");
  const predictor = await loadPredictor(resolveModelDir(values.model ?? "models"), { engine: oneOf("engine", values.engine, ENGINE_KINDS) });
  let failures = 0;
  try {
    if (!values.json) {
      console.log(`Model ${predictor.version} (threshold ${predictor.threshold.toFixed(4)}, ${predictor.backend})`);
      if (predictor.labelMode === "malignancy") console.log("This model was trained on benign/malignant labels only: diagnosis probabilities are not meaningful.");
    }
    for (const file of positionals) {
      const full = path.resolve(file);
      try {
        if (!existsSync(full) || !statSync(full).isFile()) throw new Error("file not found");
        const result = await predictor.predictBytes(readFileSync(full));
        if (values.json) {
          console.log(JSON.stringify({ file: full, ...result }));
          continue;
        }
        const top = [...DIAGNOSES].sort((a, b) => result.probabilities[b] - result.probabilities[a]).slice(0, 3);
        console.log(
          `${result.aboveThreshold ? "FLAG " : "     "} P(malignant) ${result.pMalignant.toFixed(3)}  ${top.map((dx) => `${dx} ${result.probabilities[dx].toFixed(2)}`).join("  ")}  ${result.latencyMs.toFixed(1)} ms  ${file}`,
        );
      } catch (error) {
        failures++;
        const message = error instanceof Error ? error.message : String(error);
        if (values.json) console.log(JSON.stringify({ file: full, error: message }));
        else console.error(`error: ${file}: ${message}`);
      }
    }
  } finally {
    await predictor.dispose();
  }
  if (failures > 0) process.exitCode = 1;
}

await runCli(usage, main);
