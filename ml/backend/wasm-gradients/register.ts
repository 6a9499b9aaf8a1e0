/**
 * Registers the project's training kernels on tfjs's wasm backend: the gradients tfjs-backend-wasm 4.22 lacks
 * (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input, UnsortedSegmentSum) and faster replacements for
 * kernels whose wasm versions made training slow (Conv2DBackpropInput, MaxPoolGrad, leading-axes Sum/Mean,
 * channels-last FusedBatchNorm).
 *
 * Idempotent and per JS realm (each worker thread has its own kernel registry): call it before or after
 * tf.setBackend("wasm").
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from "@tensorflow/tfjs";
// Registers the wasm backend and its own kernels, which some of ours wrap.
import "@tensorflow/tfjs-backend-wasm";
import { conv2DBackpropFilterConfig } from "./conv2d-backprop-filter";
import { conv2DBackpropInputConfig } from "./conv2d-backprop-input";
import { depthwiseBackpropFilterConfig } from "./depthwise-backprop-filter";
import { depthwiseBackpropInputConfig } from "./depthwise-backprop-input";
import { fusedBatchNormConfig } from "./fused-batch-norm-kernel";
import { leadingAxesReductionConfig } from "./leading-axes-reduction";
import { maxPoolGradConfig } from "./max-pool-grad";
import { unsortedSegmentSumConfig } from "./unsorted-segment-sum";

/** Marks configs registered here, so a second call neither re-registers nor wraps its own wrappers. */
const OWN = Symbol.for("dermflag.wasmTrainingKernel");

type OwnedConfig = KernelConfig & { [OWN]?: true };

function install(config: KernelConfig): void {
  const existing = getKernel(config.kernelName, "wasm") as OwnedConfig | undefined;
  if (existing?.[OWN]) return;
  const owned: OwnedConfig = { ...config, [OWN]: true };
  // Replacing a backend kernel keeps its setup, which binds the wasm function the replacement may fall back to.
  if (existing !== undefined) {
    unregisterKernel(config.kernelName, "wasm");
    if (owned.setupFunc === undefined && existing.setupFunc !== undefined) owned.setupFunc = existing.setupFunc;
  }
  registerKernel(owned);
}

/** Installs a replacement that handles the common case itself and hands the rest to the backend's kernel. */
function installWrapper(kernelName: string, wrap: (original: KernelConfig) => KernelConfig): void {
  const existing = getKernel(kernelName, "wasm") as OwnedConfig | undefined;
  if (existing === undefined) throw new Error(`wasm backend has no ${kernelName} kernel to extend`);
  if (existing[OWN]) return;
  install(wrap(existing));
}

/** The kernel names this module adds or replaces on the wasm backend. */
export const WASM_TRAINING_KERNELS = [
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
  "MaxPoolGrad",
  "UnsortedSegmentSum",
  "Sum",
  "Mean",
  "FusedBatchNorm",
] as const;

export function registerWasmTrainingKernels(): void {
  install(conv2DBackpropFilterConfig);
  install(conv2DBackpropInputConfig);
  install(depthwiseBackpropFilterConfig);
  install(depthwiseBackpropInputConfig);
  install(maxPoolGradConfig);
  install(unsortedSegmentSumConfig);
  installWrapper("Sum", (original) => leadingAxesReductionConfig("Sum", original));
  installWrapper("Mean", (original) => leadingAxesReductionConfig("Mean", original));
  installWrapper("FusedBatchNorm", fusedBatchNormConfig);
}

/** True when every kernel above is this module's (e.g. to assert training will not hit a missing gradient). */
export function wasmTrainingKernelsRegistered(): boolean {
  return WASM_TRAINING_KERNELS.every((name) => (getKernel(name, "wasm") as OwnedConfig | undefined)?.[OWN] === true);
}
