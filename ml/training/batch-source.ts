/**
 * Seeded epoch order and batch assembly: shuffles indices with the run's RNG, copies each batch's images into one
 * reused buffer, augments them in place and builds the smoothed one-hot targets and per-case loss weights.
 */
import { augmentBatch, type AugmentOptions } from "../data/augment";
import { shuffleInPlace, type Rng } from "../random";
import type { LabeledImages } from "./training-types";

export interface Batch {
  images: Float32Array;
  targets: Float32Array;
  weights: Float32Array;
  size: number;
}

export class BatchSource {
  private readonly order: number[];
  private readonly images: Float32Array;
  private readonly targets: Float32Array;
  private readonly weights: Float32Array;
  readonly imageLength: number;
  readonly batchesPerEpoch: number;

  constructor(
    private readonly data: LabeledImages,
    private readonly batchSize: number,
    private readonly imageSize: number,
    private readonly channels: number,
    private readonly classCount: number,
    private readonly classWeight: Float32Array,
    private readonly labelSmoothing: number,
    private readonly augmentation: AugmentOptions | false,
    private readonly rng: Rng,
  ) {
    this.imageLength = imageSize * imageSize * channels;
    const count = data.y.length;
    if (data.x.length !== count * this.imageLength) {
      throw new RangeError(`training images: expected ${count} x ${this.imageLength} values, got ${data.x.length}`);
    }
    if (augmentation !== false && channels !== 3) throw new RangeError("augmentation supports RGB images only");
    this.order = Array.from({ length: count }, (_, i) => i);
    this.batchesPerEpoch = Math.floor(count / batchSize);
    if (this.batchesPerEpoch < 1) throw new RangeError(`need at least batchSize=${batchSize} training images, got ${count}`);
    this.images = new Float32Array(batchSize * this.imageLength);
    this.targets = new Float32Array(batchSize * classCount);
    this.weights = new Float32Array(batchSize);
  }

  startEpoch(): void {
    shuffleInPlace(this.order, this.rng);
  }

  /** The batch-th batch of the current epoch; its arrays are reused by the next call. */
  batch(batch: number): Batch {
    const { batchSize, imageLength, classCount, labelSmoothing } = this;
    const off = labelSmoothing / classCount;
    const on = 1 - labelSmoothing + off;
    this.targets.fill(off);
    for (let i = 0; i < batchSize; i++) {
      const index = this.order[batch * batchSize + i]!;
      this.images.set(this.data.x.subarray(index * imageLength, (index + 1) * imageLength), i * imageLength);
      const label = this.data.y[index]!;
      this.targets[i * classCount + label] = on;
      this.weights[i] = this.classWeight[label]!;
    }
    if (this.augmentation !== false) augmentBatch(this.images, batchSize, this.imageSize, this.rng, this.augmentation);
    return { images: this.images, targets: this.targets, weights: this.weights, size: batchSize };
  }
}
