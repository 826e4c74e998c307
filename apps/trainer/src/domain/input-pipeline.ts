import * as tf from '@tensorflow/tfjs';
import type { LabelledImage } from '../storage/shard-reader.js';
import { PreprocessPool } from './preprocess-worker-pool.js';
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

export interface InputPipelineOptions {
  /** Batches prepared ahead of the training step, the capacity of the input queue. Default 3. */
  prefetchBatches?: number;
  /** Worker pool shared with other pipelines, which `close` leaves open. Default: a pool of the pipeline's own with `concurrency` tasks at once. */
  pool?: PreprocessPool;
}

/** Input-queue capacity when none is given, so a slow batch or a checkpoint pause does not empty it at once. */
export const DEFAULT_PREFETCH_BATCHES = 3;

/** A batch whose images were picked and whose seeds were drawn, with its preprocessing under way. */
interface QueuedBatch {
  pixels: Promise<Float32Array[]>;
  labels: Int32Array;
  /** Position after the batch. */
  next: InputPosition;
  /** Generator state after the batch's draws. */
  randomStateAfter: number;
  ready: boolean;
}

/**
 * Turns labelled JPEGs into training batches. Batches walk a seeded permutation per epoch and are
 * distorted as research/inception's image_processing.py does, in a pool of worker threads,
 * `concurrency` images at a time, up to `prefetchBatches` batches ahead of the training step.
 * Every image gets its own seed from `random`, drawn in batch order on this thread, so the
 * batches do not depend on the number of threads or on the order in which images finish.
 * Call `close` when done, or declare the pipeline with `await using`.
 */
export class InputPipeline {
  private readonly queue: QueuedBatch[] = [];
  private readonly pool: PreprocessPool;
  private readonly ownsPool: boolean;
  private readonly prefetchBatches: number;
  /** Start position of the next batch to be drawn. */
  private drawPosition: InputPosition;
  /** Generator state before the batch at `position` was drawn. */
  private randomStateAtPosition: number;
  private cachedOrder = { epoch: -1, order: [] as number[] };

  constructor(
    private readonly images: LabelledImage[],
    private readonly imageSize: number,
    private readonly batchSize: number,
    /** Seed of the per-epoch orders. */
    private readonly seed: number,
    /** Draws of the distortions; its state belongs in checkpoints. */
    private readonly random: SeededRandom,
    concurrency: number,
    private position: InputPosition = { epoch: 0, offset: 0 },
    options: InputPipelineOptions = {},
  ) {
    if (images.length === 0) throw new Error('the training split has no images');
    this.prefetchBatches = options.prefetchBatches ?? DEFAULT_PREFETCH_BATCHES;
    if (!(Number.isInteger(this.prefetchBatches) && this.prefetchBatches >= 1)) {
      throw new RangeError(`InputPipeline: prefetchBatches ${this.prefetchBatches} is invalid. It must be an integer of at least 1`);
    }
    this.randomStateAtPosition = random.snapshot;
    this.drawPosition = { ...position };
    this.ownsPool = options.pool === undefined;
    this.pool = options.pool ?? new PreprocessPool({ concurrency });
    this.fillQueue();
  }

  /** Position and generator state from which a resumed pipeline yields exactly the batches this one would yield next. */
  get checkpoint(): { position: InputPosition; randomState: number } {
    return { position: { ...this.position }, randomState: this.randomStateAtPosition };
  }

  /** Prepared batches waiting for the training step, and how many the queue takes. */
  get queueFill(): { readyBatches: number; capacityBatches: number } {
    return { readyBatches: this.queue.filter((batch) => batch.ready).length, capacityBatches: this.prefetchBatches };
  }

  /** Returns the next training batch; the caller disposes `images`. */
  async nextBatch(): Promise<Batch> {
    this.fillQueue();
    const batch = this.queue.shift()!;
    this.fillQueue();

    const pixels = await batch.pixels;
    this.position = batch.next;
    this.randomStateAtPosition = batch.randomStateAfter;
    return { images: stackImages(pixels, this.imageSize), labels: batch.labels };
  }

  /** Resolves once every queued batch is prepared or has failed. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.queue.map((batch) => batch.pixels));
  }

  /** Stops the worker threads of its own pool after the queued batches are prepared, and drops them. */
  async close(): Promise<void> {
    if (this.ownsPool) {
      await this.pool.close();
    } else {
      await this.settled();
    }
  }

  /** Closes the pipeline at the end of an `await using` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private fillQueue(): void {
    while (this.queue.length < this.prefetchBatches) this.queue.push(this.drawBatch());
  }

  /** Each epoch's order depends only on the seed and the epoch number, so a resumed run sees the same order. */
  private orderOf(epoch: number): number[] {
    if (this.cachedOrder.epoch !== epoch) {
      const order = new SeededRandom((this.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0).permutation(this.images.length);
      this.cachedOrder = { epoch, order };
    }
    return this.cachedOrder.order;
  }

  // Runs synchronously, so batches draw their images and seeds strictly in queue order.
  private drawBatch(): QueuedBatch {
    const picks: LabelledImage[] = [];
    let { epoch, offset } = this.drawPosition;
    while (picks.length < this.batchSize) {
      if (offset >= this.images.length) {
        epoch += 1;
        offset = 0;
      }
      picks.push(this.images[this.orderOf(epoch)[offset]!]!);
      offset += 1;
    }
    const seeds = picks.map(() => Math.floor(this.random.next() * 4294967296));
    this.drawPosition = { epoch, offset };

    const batch: QueuedBatch = {
      pixels: Promise.all(picks.map((image, index) => this.pool.preprocessForTraining(image.jpegBytes, this.imageSize, seeds[index]!))),
      labels: Int32Array.from(picks, (image) => image.label),
      next: { epoch, offset },
      randomStateAfter: this.random.snapshot,
      ready: false,
    };
    // nextBatch reports a failed batch, so until then its rejection must not count as unhandled.
    batch.pixels.then(
      () => {
        batch.ready = true;
      },
      () => undefined,
    );
    return batch;
  }
}

export function stackImages(pixels: Float32Array[], imageSize: number): tf.Tensor4D {
  const pixelsPerImage = imageSize * imageSize * 3;
  const data = new Float32Array(pixels.length * pixelsPerImage);
  pixels.forEach((image, index) => data.set(image, index * pixelsPerImage));
  return tf.tensor4d(data, [pixels.length, imageSize, imageSize, 3]);
}

/**
 * Yields evaluation batches in shard order with the 87.5 % central crop. A pool of worker threads
 * prepares them one batch ahead. The last batch may be smaller.
 */
export async function* evaluationBatches(images: LabelledImage[], imageSize: number, batchSize: number, concurrency: number): AsyncIterable<Batch> {
  const pool = new PreprocessPool({ concurrency });
  const prepare = (start: number) => {
    const slice = images.slice(start, start + batchSize);
    const pixels = Promise.all(slice.map((image) => pool.preprocessForEval(image.jpegBytes, imageSize)));
    pixels.catch(() => undefined);
    return { pixels, labels: Int32Array.from(slice, (image) => image.label) };
  };
  try {
    let next = images.length > 0 ? prepare(0) : undefined;
    for (let start = 0; next; start += batchSize) {
      const current = next;
      next = start + batchSize < images.length ? prepare(start + batchSize) : undefined;
      yield { images: stackImages(await current.pixels, imageSize), labels: current.labels };
    }
  } finally {
    await pool.close();
  }
}
