import { preprocessForEval, preprocessForTraining } from '@inception/imaging';
import Piscina from 'piscina';
import { SeededRandom } from './random.js';

/** One image for the preprocessing pool. */
export interface PreprocessTask {
  /** `train` distorts as image_processing.py's distort_image does, `eval` takes the 87.5 % central crop. */
  mode: 'train' | 'eval';
  jpegBytes: Uint8Array;
  imageSize: number;
  /** Seed of the image's distortions, a 32-bit unsigned integer drawn by the pipeline (train only). */
  seed?: number;
}

/**
 * Preprocesses one image in a pool thread and returns its imageSize × imageSize × 3 floats in
 * [−1, 1]. The pixels' buffer is transferred to the caller, not copied.
 */
export async function preprocessImage(task: PreprocessTask): Promise<Float32Array> {
  let pixels: Float32Array;
  if (task.mode === 'train') {
    if (task.seed === undefined) throw new Error('preprocessImage: a train task needs a seed');
    const random = new SeededRandom(task.seed);
    pixels = await preprocessForTraining(task.jpegBytes, task.imageSize, () => random.next());
  } else {
    pixels = await preprocessForEval(task.jpegBytes, task.imageSize);
  }
  return Piscina.move(pixels) as Float32Array;
}
