/**
 * Test support: runs the same computation on tfjs's reference cpu backend and on wasm (with the project's kernels)
 * and compares the results to float32 tolerance. Random cases come from a seeded generator, so a failure names a
 * reproducible case.
 */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { initBackend } from "../init-backend";

export async function useWasmWithTrainingKernels(): Promise<void> {
  await initBackend({ env: { ML_BACKEND: "wasm" } });
}

/** Small deterministic PRNG (mulberry32) for test cases. */
export function seededRandom(seed: number): { next: () => number; int: (lo: number, hi: number) => number; pick: <T>(items: readonly T[]) => T } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, int, pick };
}

export function randomValues(rand: { next: () => number }, size: number): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rand.next() * 2 - 1;
  return values;
}

/** Runs `compute` on cpu and then on wasm (same inputs, rebuilt on each backend) and returns both flat results. */
export async function onBothBackends(compute: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const run = async (backend: string): Promise<Float32Array[]> => {
    await tf.setBackend(backend);
    const result = tf.tidy(compute);
    const list = Array.isArray(result) ? result : [result];
    const values = list.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose(list);
    return values;
  };
  const cpu = await run("cpu");
  const wasm = await run("wasm");
  return { cpu, wasm };
}

/**
 * Element-wise closeness for float32 results of sums: |a - b| <= 1e-4 * (1 + |reference|) + 2e-5 * scale, where
 * scale is the reference's largest magnitude (absorbs cancellation in long sums).
 */
export function expectClose(actual: ArrayLike<number>, reference: ArrayLike<number>, label: string): void {
  expect(actual.length, `${label}: length`).toBe(reference.length);
  let scale = 0;
  for (let i = 0; i < reference.length; i++) scale = Math.max(scale, Math.abs(reference[i]!));
  let worstAt = -1;
  for (let i = 0; i < reference.length && worstAt < 0; i++) {
    const a = actual[i]!;
    const r = reference[i]!;
    if (Number.isNaN(a) && Number.isNaN(r)) continue;
    if (!(Math.abs(a - r) <= 1e-4 * (1 + Math.abs(r)) + 2e-5 * scale)) worstAt = i;
  }
  expect(worstAt, `${label}: first bad element ${worstAt} is ${actual[worstAt]} vs reference ${reference[worstAt]}`).toBe(-1);
}
