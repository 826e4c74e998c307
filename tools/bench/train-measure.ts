// Measurements of the training benchmark (tools/bench/train.ts): training steps on synthetic
// batches, the preprocessing pool on real JPEGs, and both together as the trainer runs them.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildInceptionV3, trainStep, TrainingState, type InceptionV3Options } from '@inception/inception';
import { InputPipeline } from '../../apps/trainer/src/domain/input-pipeline.js';
import { PreprocessPool } from '../../apps/trainer/src/domain/preprocess-worker-pool.js';
import { SeededRandom } from '../../apps/trainer/src/domain/random.js';
import type { LabelledImage } from '../../apps/trainer/src/storage/shard-reader.js';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

/**
 * Counts the multiply-adds of one image's forward pass over the convolutions and fully connected
 * layers, leaving out batch norm, ReLU and pooling. Inception v3 at 299 pixels has 5.713 G on the
 * main path and 0.006 G in the aux head.
 */
export function forwardMultiplyAddsPerImage(model: tf.LayersModel): number {
  let multiplyAdds = 0;
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className !== 'Conv2D' && className !== 'Dense') continue;
    const kernelShape = layer.getWeights()[0]!.shape;
    const outputShape = layer.outputShape as number[];
    const kernelMultiplyAdds = kernelShape.reduce((product, size) => product * size, 1);
    // A convolution applies its whole kernel once per output pixel; a dense layer once.
    const outputPixels = className === 'Conv2D' ? outputShape[1]! * outputShape[2]! : 1;
    multiplyAdds += kernelMultiplyAdds * outputPixels;
  }
  return multiplyAdds;
}

/**
 * Training FLOPs per image for a forward pass of `forwardMultiplyAdds`. A multiply-add counts as
 * 2 FLOPs. Forward plus backward counts as 3 forward passes, because the backward pass computes
 * two convolutions (the input and the filter gradient) for each forward one. This is the usual
 * estimate, not a count of the kernels tfjs runs.
 */
export function trainingFlopsPerImage(forwardMultiplyAdds: number): number {
  return 3 * 2 * forwardMultiplyAdds;
}

export interface StepMeasurement {
  batchSize: number;
  steps: number;
  secondsPerStep: number;
  examplesPerSecond: number;
  /**
   * Examples per second of CPU time used by the process. Backends without threads of their own
   * (wasm and cpu in Node) use one core, so this rate changes little when other processes load
   * the machine, unlike the wall-clock rate.
   */
  examplesPerCpuSecond: number;
  /** Multiply-adds of one image's forward pass, from `forwardMultiplyAddsPerImage`. */
  forwardMultiplyAddsPerImage: number;
}

/** Returns the CPU seconds (user and system) the process has used since `since`. */
function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Times `steps` training steps of a new model on the active backend after `warmUpSteps` untimed ones, on one random batch. */
export async function measureTrainingSteps(model: InceptionV3Options, batchSize: number, warmUpSteps: number, steps: number): Promise<StepMeasurement> {
  const state = new TrainingState(buildInceptionV3(model));
  const imageSize = state.config.imageSize;
  const images = tf.randomUniform([batchSize, imageSize, imageSize, 3], -1, 1) as tf.Tensor4D;
  const labels = Array.from({ length: batchSize }, (_, index) => 1 + (index % (model.numClasses - 1)));
  try {
    for (let step = 0; step < warmUpSteps; step += 1) {
      await trainStep(state, { images, labels }, { step, learningRate: 0.01 });
    }
    const startedMs = performance.now();
    const startedCpu = process.cpuUsage();
    for (let step = 0; step < steps; step += 1) {
      await trainStep(state, { images, labels }, { step: warmUpSteps + step, learningRate: 0.01 });
    }
    const secondsPerStep = (performance.now() - startedMs) / 1000 / steps;
    return {
      batchSize,
      steps,
      secondsPerStep,
      examplesPerSecond: batchSize / secondsPerStep,
      examplesPerCpuSecond: (batchSize * steps) / cpuSecondsSince(startedCpu),
      forwardMultiplyAddsPerImage: forwardMultiplyAddsPerImage(state.model),
    };
  } finally {
    images.dispose();
    state.dispose();
  }
}

/** Reads the Fashion-MNIST samples (28×28 JPEGs) of one split with labels 1..10 in class order. */
export async function readSampleImages(samplesDir: string, split: 'train' | 'validation'): Promise<LabelledImage[]> {
  const labels = (await readFile(path.join(samplesDir, 'labels.txt'), 'utf8')).split('\n').map((line) => line.trim()).filter(Boolean);
  const images: LabelledImage[] = [];
  for (const [index, className] of labels.entries()) {
    const folder = path.join(samplesDir, split, className);
    for (const file of (await readdir(folder)).filter((name) => name.endsWith('.jpg')).sort()) {
      images.push({ jpegBytes: new Uint8Array(await readFile(path.join(folder, file))), label: index + 1 });
    }
  }
  return images;
}

/**
 * Makes photo-sized JPEGs (500×375, quality 90, the size of a typical Flowers or ImageNet image)
 * from the samples. Each is upscaled and given per-pixel noise, so that it decodes with a
 * photo's entropy rather than the smooth gradients of an upscaled 28×28 image.
 */
export async function makePhotoSizedImages(samples: LabelledImage[], count: number, seed: number): Promise<LabelledImage[]> {
  const random = new SeededRandom(seed);
  const images: LabelledImage[] = [];
  for (let index = 0; index < count; index += 1) {
    const sample = samples[index % samples.length]!;
    const pixels = await sharp(sample.jpegBytes).removeAlpha().toColourspace('srgb').resize(500, 375, { fit: 'fill' }).raw().toBuffer();
    for (let offset = 0; offset < pixels.length; offset += 1) {
      pixels[offset] = Math.max(0, Math.min(255, pixels[offset]! + Math.floor((random.next() - 0.5) * 48)));
    }
    const jpeg = await sharp(pixels, { raw: { width: 500, height: 375, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    images.push({ jpegBytes: new Uint8Array(jpeg), label: sample.label });
  }
  return images;
}

export interface PreprocessMeasurement {
  threads: number;
  images: number;
  imagesPerSecond: number;
  imagesPerSecondPerThread: number;
  /** Images per second of CPU time used by the process, the pool's threads and sharp's included. */
  imagesPerCpuSecond: number;
}

/** Times the training preprocessing of `count` images in a pool of `threads` threads, two tasks per thread, after the threads have started. */
export async function measurePreprocessing(images: LabelledImage[], imageSize: number, threads: number, count: number): Promise<PreprocessMeasurement> {
  const pool = new PreprocessPool({ concurrency: threads * 2, threads });
  try {
    await Promise.all(Array.from({ length: threads * 2 }, (_, index) => pool.preprocessForTraining(images[index % images.length]!.jpegBytes, imageSize, index)));
    const startedMs = performance.now();
    const startedCpu = process.cpuUsage();
    await Promise.all(Array.from({ length: count }, (_, index) => pool.preprocessForTraining(images[index % images.length]!.jpegBytes, imageSize, index)));
    const imagesPerSecond = count / ((performance.now() - startedMs) / 1000);
    return { threads, images: count, imagesPerSecond, imagesPerSecondPerThread: imagesPerSecond / threads, imagesPerCpuSecond: count / cpuSecondsSince(startedCpu) };
  } finally {
    await pool.close();
  }
}

export interface PipelineTrainingMeasurement extends StepMeasurement {
  /** Share of the wall time the steps waited for the input pipeline. */
  inputWaitShare: number;
}

/** Trains on batches from the real InputPipeline, as runTraining does, and measures how long the steps wait for input. */
export async function measureTrainingFromPipeline(model: InceptionV3Options, images: LabelledImage[], batchSize: number, concurrency: number, warmUpSteps: number, steps: number): Promise<PipelineTrainingMeasurement> {
  const state = new TrainingState(buildInceptionV3(model));
  await using pipeline = new InputPipeline(images, state.config.imageSize, batchSize, 1, new SeededRandom(2), concurrency);
  let waitSeconds = 0;
  let startedMs = performance.now();
  let startedCpu = process.cpuUsage();
  try {
    for (let step = 0; step < warmUpSteps + steps; step += 1) {
      if (step === warmUpSteps) {
        startedMs = performance.now();
        startedCpu = process.cpuUsage();
        waitSeconds = 0;
      }
      const waitStartedMs = performance.now();
      const batch = await pipeline.nextBatch();
      waitSeconds += (performance.now() - waitStartedMs) / 1000;
      try {
        await trainStep(state, { images: batch.images, labels: batch.labels }, { step, learningRate: 0.01 });
      } finally {
        batch.images.dispose();
      }
    }
    const seconds = (performance.now() - startedMs) / 1000;
    return {
      batchSize,
      steps,
      secondsPerStep: seconds / steps,
      examplesPerSecond: (batchSize * steps) / seconds,
      // Includes the preprocessing threads, which run in this process.
      examplesPerCpuSecond: (batchSize * steps) / cpuSecondsSince(startedCpu),
      forwardMultiplyAddsPerImage: forwardMultiplyAddsPerImage(state.model),
      inputWaitShare: waitSeconds / seconds,
    };
  } finally {
    state.dispose();
  }
}
