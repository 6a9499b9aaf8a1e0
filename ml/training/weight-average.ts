/**
 * Exponential moving average of a model's weights (as in timm's ModelEmaV2): evaluating the average of the last
 * few hundred steps' weights instead of the last step's smooths out the noise of small-batch training. Batch-norm
 * moving statistics are averaged too, so the averaged weights and statistics stay consistent. The average starts
 * fast (decay ramps up as (1 + t) / (10 + t)) so early validations are not dominated by the random initialisation.
 */
import * as tf from "@tensorflow/tfjs";

export class WeightAverage {
  private readonly averages: tf.Variable[];
  private updates = 0;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly decay: number,
  ) {
    if (!(decay > 0 && decay < 1)) throw new RangeError(`decay must be in (0, 1), got ${decay}`);
    this.averages = tf.tidy(() => model.weights.map((w) => tf.variable(w.read().clone(), false)));
  }

  update(): void {
    this.updates++;
    const decay = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    tf.tidy(() => {
      this.model.weights.forEach((w, i) => {
        const average = this.averages[i]!;
        average.assign(tf.add(tf.mul(average, decay), tf.mul(w.read(), 1 - decay)));
      });
    });
  }

  /** Runs `fn` with the averaged weights in the model, then puts the live weights back. */
  async withAveragedWeights<T>(fn: () => T | Promise<T>): Promise<T> {
    const live = this.model.getWeights().map((w) => tf.clone(w));
    try {
      this.model.setWeights(this.averages);
      return await fn();
    } finally {
      this.model.setWeights(live);
      tf.dispose(live);
    }
  }

  /** Copies of the averaged weights (the caller disposes them). */
  snapshot(): tf.Tensor[] {
    return this.averages.map((a) => tf.clone(a));
  }

  dispose(): void {
    tf.dispose(this.averages);
  }
}
