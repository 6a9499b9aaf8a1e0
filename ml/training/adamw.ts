/**
 * Adam with decoupled weight decay (Loshchilov & Hutter, "AdamW"). tfjs 4.22 has Adam but no decoupled decay, and
 * L2 added to the loss interacts badly with Adam's per-weight scaling. The learning rate is passed per step so any
 * schedule can drive it. Moments live in tf.Variables owned here: call dispose() when done.
 */
import * as tf from "@tensorflow/tfjs";

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled decay per step, multiplied by the learning rate (PyTorch convention). */
  weightDecay?: number;
  /** Which variables decay; by default kernels only (not biases, batch-norm scales/offsets). */
  decays?: (variable: tf.Variable) => boolean;
}

interface Slot {
  variable: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  decay: boolean;
}

export const decayKernelsOnly = (variable: tf.Variable): boolean => /kernel/i.test(variable.name);

export class AdamW {
  private readonly slots: Slot[];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private step = 0;

  constructor(variables: readonly tf.Variable[], options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    const decays = options.decays ?? decayKernelsOnly;
    // tidy frees the zero tensors the variables were initialised from (variables themselves survive tidy).
    this.slots = tf.tidy(() =>
      variables.map((variable) => ({
        variable,
        m: tf.variable(tf.zerosLike(variable), false),
        v: tf.variable(tf.zerosLike(variable), false),
        decay: decays(variable),
      })),
    );
  }

  get iterations(): number {
    return this.step;
  }

  /** Applies one update from gradients keyed by variable name (as tf.variableGrads returns them). */
  applyGradients(grads: tf.NamedTensorMap, learningRate: number): void {
    this.step++;
    const { beta1, beta2, epsilon } = this;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    // Bias corrections folded into the step size: lr * sqrt(c2) / c1 * m / (sqrt(v) + eps * sqrt(c2)).
    const stepSize = (learningRate * Math.sqrt(correction2)) / correction1;
    const epsHat = epsilon * Math.sqrt(correction2);
    tf.tidy(() => {
      for (const slot of this.slots) {
        const g = grads[slot.variable.name];
        if (g === undefined) continue;
        const m = tf.add(tf.mul(slot.m, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        slot.m.assign(m);
        slot.v.assign(v);
        let updated = tf.sub(slot.variable, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsHat)), stepSize));
        if (slot.decay && this.weightDecay > 0) updated = tf.sub(updated, tf.mul(slot.variable, learningRate * this.weightDecay));
        slot.variable.assign(updated);
      }
    });
  }

  dispose(): void {
    for (const slot of this.slots) {
      slot.m.dispose();
      slot.v.dispose();
    }
  }
}
