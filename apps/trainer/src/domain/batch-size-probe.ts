import * as tf from '@tensorflow/tfjs';
import { buildInceptionV3, trainStep, TrainingState, type InceptionV3Options } from '@inception/inception';

/** One batch size the search tried. */
export interface BatchProbe {
  batchSize: number;
  fits: boolean;
}

/** Runs something at a batch size: resolves true when it fit, false on an out-of-memory error, and rejects on any other error. */
export type TryBatch = (batchSize: number) => Promise<boolean>;

/**
 * Finds the largest batch size up to `maxBatchSize` for which `tryBatch` fits. It doubles from 1
 * until a size fails, then bisects between the last size that fit and the first that failed
 * until they are within an eighth of each other. A 4096 limit so costs at most about 16 probes.
 * Returns batch size 0 when even 1 fails.
 */
export async function searchLargestBatch(tryBatch: TryBatch, maxBatchSize: number): Promise<{ batchSize: number; probes: BatchProbe[] }> {
  if (!(Number.isInteger(maxBatchSize) && maxBatchSize >= 1)) {
    throw new RangeError(`searchLargestBatch: maxBatchSize ${maxBatchSize} is invalid. It must be an integer of at least 1`);
  }
  const probes: BatchProbe[] = [];
  const probe = async (batchSize: number) => {
    const fits = await tryBatch(batchSize);
    probes.push({ batchSize, fits });
    return fits;
  };

  let fitting = 0;
  let failing = maxBatchSize + 1;
  for (let batchSize = 1; batchSize <= maxBatchSize; batchSize = Math.min(batchSize * 2, maxBatchSize)) {
    if (!(await probe(batchSize))) {
      failing = batchSize;
      break;
    }
    fitting = batchSize;
    if (batchSize === maxBatchSize) break;
  }

  while (fitting > 0 && failing - fitting > Math.max(1, fitting / 8)) {
    const middle = Math.floor((fitting + failing) / 2);
    if (await probe(middle)) {
      fitting = middle;
    } else {
      failing = middle;
    }
  }
  return { batchSize: fitting, probes };
}

/**
 * True for the errors TensorFlow raises when a device allocation fails: libtensorflow's
 * ResourceExhausted status reads "OOM when allocating tensor ...", and CUDA's reads "out of memory".
 */
export function isOutOfMemoryError(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /\bOOM\b|out of memory|ResourceExhausted|failed to allocate/i.test(text);
}

/**
 * Returns a `TryBatch` that runs one real training step of the model at each batch size on the
 * active backend, with random images, and disposes every tensor it made, also after an
 * out-of-memory error. Call `dispose` when the search ends.
 *
 * NOTE: use it only where an allocation failure raises an error, as on tfjs-node-gpu. The wasm
 * backend aborts the process when its heap cannot grow, and libtensorflow on the CPU allocates
 * until the operating system kills the process.
 */
export function trainingStepProbe(modelOptions: InceptionV3Options): { tryBatch: TryBatch; dispose: () => void } {
  const state = new TrainingState(buildInceptionV3(modelOptions));
  const imageSize = state.config.imageSize;
  const numClasses = state.config.numClasses;

  const tryBatch: TryBatch = async (batchSize) => {
    let images: tf.Tensor4D | undefined;
    try {
      images = tf.randomUniform([batchSize, imageSize, imageSize, 3], -1, 1) as tf.Tensor4D;
      const labels = Array.from({ length: batchSize }, (_, index) => 1 + (index % (numClasses - 1)));
      await trainStep(state, { images, labels }, { step: 0, learningRate: 0 });
      return true;
    } catch (error) {
      if (isOutOfMemoryError(error)) return false;
      throw error;
    } finally {
      images?.dispose();
    }
  };
  return { tryBatch, dispose: () => state.dispose() };
}
