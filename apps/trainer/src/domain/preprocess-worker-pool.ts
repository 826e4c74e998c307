import { availableParallelism } from 'node:os';
import Piscina from 'piscina';
import type { PreprocessTask } from './preprocess-worker.js';

const WORKER_URL = new URL('./preprocess-worker.mjs', import.meta.url).href;

export interface PreprocessPoolOptions {
  /** Images preprocessed at once across all threads. */
  concurrency: number;
  /** Worker threads. Default: min(concurrency, os.availableParallelism()). */
  threads?: number;
  /** Module the threads run. Default: preprocess-worker.mjs beside this file. Tests replace it. */
  workerUrl?: string;
}

/**
 * Worker threads that decode, distort and scale images, so colour distortion, which runs in
 * JavaScript, stays off the thread that drives the training steps. sharp decodes in the libuv
 * thread pool either way. Tasks beyond the concurrency wait in the pool's queue, in order.
 */
export class PreprocessPool {
  readonly threadCount: number;
  private readonly pool: Piscina<PreprocessTask, Float32Array>;
  /** First error of a thread outside any task, such as a worker module that fails to load. */
  private threadError?: Error;
  /** Rejecters of the tasks submitted and not yet settled. */
  private readonly pendingRejecters = new Set<(error: Error) => void>();
  /** Set once a thread error has made the pool stop its threads. */
  private destroyed?: Promise<void>;

  constructor(options: PreprocessPoolOptions) {
    if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
      throw new RangeError(`PreprocessPool: concurrency ${options.concurrency} is invalid. It must be an integer of at least 1`);
    }
    this.threadCount = options.threads ?? Math.max(1, Math.min(options.concurrency, availableParallelism()));
    this.pool = new Piscina<PreprocessTask, Float32Array>({
      filename: options.workerUrl ?? WORKER_URL,
      minThreads: this.threadCount,
      maxThreads: this.threadCount,
      concurrentTasksPerWorker: Math.ceil(options.concurrency / this.threadCount),
      // A task awaits sharp, so the thread's event loop must keep running between messages,
      // which Atomics.wait would block.
      atomics: 'disabled',
    });
    // Without a listener, Piscina's 'error' event would crash the whole process. Piscina 5 also
    // leaves a task pending forever when the thread that should run it fails to start, so the
    // pool rejects its pending tasks and stops its threads.
    this.pool.on('error', (error: unknown) => {
      if (this.threadError) return;
      this.threadError = new Error(`PreprocessPool: a worker thread failed, so no image can be preprocessed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      for (const reject of this.pendingRejecters) reject(this.threadError);
      this.pendingRejecters.clear();
      this.destroyed = this.pool.destroy().catch(() => undefined);
    });
  }

  /** Distorts one training image with the draws of a generator seeded with `seed`. */
  preprocessForTraining(jpegBytes: Uint8Array, imageSize: number, seed: number): Promise<Float32Array> {
    return this.run({ mode: 'train', jpegBytes, imageSize, seed });
  }

  /** Central-crops and resizes one evaluation image. */
  preprocessForEval(jpegBytes: Uint8Array, imageSize: number): Promise<Float32Array> {
    return this.run({ mode: 'eval', jpegBytes, imageSize });
  }

  private run(task: PreprocessTask): Promise<Float32Array> {
    if (this.threadError) return Promise.reject(this.threadError);
    return new Promise<Float32Array>((resolve, reject) => {
      this.pendingRejecters.add(reject);
      this.pool
        .run(task)
        .then(resolve, reject)
        .finally(() => this.pendingRejecters.delete(reject));
    });
  }

  /**
   * Stops the threads once the tasks already submitted have finished. Piscina's destroy() would
   * stop them at once, but the results of tasks still running then arrive as unhandled errors.
   */
  async close(): Promise<void> {
    await (this.destroyed ?? this.pool.close());
  }
}
