/**
 * Renders trainAndEvaluate's progress: a cli-progress bar on a terminal, one line per epoch otherwise (CI logs,
 * piped output), so a long run always shows that it is alive and what validation says.
 */
import cliProgress from "cli-progress";
import type { PipelineProgress } from "../pipeline/progress";

export function createProgressRenderer(stream: NodeJS.WriteStream = process.stderr): { update: (p: PipelineProgress) => void; stop: () => void } {
  const tty = stream.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  let phase: string | null = null;
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  const startBar = (format: string) => {
    stop();
    bar = new cliProgress.SingleBar({ format, stream, hideCursor: true, etaBuffer: 50, clearOnComplete: false }, cliProgress.Presets.shades_classic);
    bar.start(100, 0, { detail: "" });
  };
  return {
    stop,
    update(p) {
      if (p.phase !== phase) {
        phase = p.phase;
        stop();
        if (tty && (p.phase === "decode" || p.phase === "train" || p.phase === "evaluate")) startBar(`${p.phase.padEnd(8)} |{bar}| {percentage}% | ETA {eta_formatted} | {detail}`);
        else if (p.phase !== "train") stream.write(`${p.message}\n`);
      }
      const t = p.training;
      const detail =
        t === undefined
          ? p.message
          : `epoch ${t.epoch}${t.epochs === null ? "" : `/${t.epochs}`} loss ${t.loss.toFixed(3)} val AUC ${t.valAuc?.toFixed(3) ?? "-"} acc ${t.valAccuracy?.toFixed(3) ?? "-"} | ${t.imagesPerSecond.toFixed(0)} img/s`;
      if (bar !== null) {
        bar.update(Math.round((p.fraction ?? 0) * 100), { detail });
      } else if (t?.kind === "epoch") {
        stream.write(`${detail} | ${t.elapsedSeconds.toFixed(0)} s\n`);
      }
      if (p.phase === "done") stop();
    },
  };
}
