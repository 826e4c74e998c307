import * as tf from '@tensorflow/tfjs';
import { preprocessForEval, preprocessForTraining } from '@inception/imaging';
import pLimit from 'p-limit';
import type { LabelledImage } from '../storage/shard-reader.js';
import { SeededRandom } from './random.js';

/** Where the training input stands: the epoch and the next example's index in its shuffled order. */
export interface InputPosition {
  epoch: number;
  offset: number;
}

export interface Batch {
  images: tf.Tensor4D;
  labels: Int32Array;
}

/**
 * Turns labelled JPEGs into batches. Training batches walk a seeded permutation per epoch and are
 * distorted as research/inception's image_processing.py does; evaluation batches keep shard order
 * and use the 87.5 % central crop. Decoding runs in sharp's thread pool, `concurrency` at a time,
 * and the next batch is prepared while the current one trains.
 */
export class InputPipeline {
  private order: number[] = [];
  private prefetched?: Promise<{ pixels: Float32Array[]; labels: Int32Array; next: InputPosition; randomState: number }>;
  /** Generator state before the batch at `position` was drawn. */
  private randomStateAtPosition: number;

  constructor(
    private readonly images: LabelledImage[],
    private readonly imageSize: number,
    private readonly batchSize: number,
    /** Seed of the per-epoch orders. */
    private readonly seed: number,
    /** Draws of the distortions; its state belongs in checkpoints. */
    private readonly random: SeededRandom,
    private readonly concurrency: number,
    private position: InputPosition = { epoch: 0, offset: 0 },
  ) {
    if (images.length === 0) throw new Error('the training split has no images');
    this.randomStateAtPosition = random.snapshot;
    this.order = this.permutationFor(position.epoch);
  }

  /** Position and generator state from which a resumed pipeline yields exactly the batches this one would yield next. */
  get checkpoint(): { position: InputPosition; randomState: number } {
    return { position: { ...this.position }, randomState: this.randomStateAtPosition };
  }

  /** Each epoch's order depends only on the seed and the epoch number, so a resumed run sees the same order. */
  private permutationFor(epoch: number): number[] {
    return new SeededRandom((this.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0).permutation(this.images.length);
  }

  private async prepare(start: InputPosition) {
    const randomState = this.random.snapshot;
    const picks: LabelledImage[] = [];
    let { epoch, offset } = start;
    let order = epoch === this.position.epoch ? this.order : this.permutationFor(epoch);
    while (picks.length < this.batchSize) {
      if (offset >= order.length) {
        epoch += 1;
        offset = 0;
        order = this.permutationFor(epoch);
      }
      picks.push(this.images[order[offset]!]!);
      offset += 1;
    }
    const limit = pLimit(this.concurrency);
    const draws = picks.map(() => this.random.next());
    const pixels = await Promise.all(
      picks.map((image, index) => {
        const local = new SeededRandom(Math.floor(draws[index]! * 4294967296));
        return limit(() => preprocessForTraining(image.jpegBytes, this.imageSize, () => local.next()));
      }),
    );
    return { pixels, labels: Int32Array.from(picks, (image) => image.label), next: { epoch, offset }, randomState };
  }

  /** Returns the next training batch; the caller disposes `images`. */
  async nextBatch(): Promise<Batch> {
    const prepared = await (this.prefetched ?? this.prepare(this.position));
    this.position = prepared.next;
    this.order = this.permutationFor(this.position.epoch);
    this.randomStateAtPosition = this.random.snapshot;
    this.prefetched = this.prepare(this.position);
    this.prefetched.catch(() => undefined);
    return { images: stackImages(prepared.pixels, this.imageSize), labels: prepared.labels };
  }
}

export function stackImages(pixels: Float32Array[], imageSize: number): tf.Tensor4D {
  const pixelsPerImage = imageSize * imageSize * 3;
  const data = new Float32Array(pixels.length * pixelsPerImage);
  pixels.forEach((image, index) => data.set(image, index * pixelsPerImage));
  return tf.tensor4d(data, [pixels.length, imageSize, imageSize, 3]);
}

/** Yields evaluation batches in shard order; the last batch may be smaller. */
export async function* evaluationBatches(images: LabelledImage[], imageSize: number, batchSize: number, concurrency: number): AsyncIterable<Batch> {
  const limit = pLimit(concurrency);
  for (let start = 0; start < images.length; start += batchSize) {
    const slice = images.slice(start, start + batchSize);
    const pixels = await Promise.all(slice.map((image) => limit(() => preprocessForEval(image.jpegBytes, imageSize))));
    yield { images: stackImages(pixels, imageSize), labels: Int32Array.from(slice, (image) => image.label) };
  }
}
