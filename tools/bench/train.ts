// Benchmark of training. It measures examples per second of the small configuration on every
// backend that loads, as a ratio against the pure-JavaScript cpu backend, and the full
// Inception v3 at 299 pixels with its achieved GFLOP/s on every backend but cpu. It also measures
// the input pipeline's images per second per thread against what training consumes.
// `npm run bench:train` takes about 10 minutes on 2 idle cores, and `npm run bench:train:smoke`
// under a minute. Options: --json, --smoke.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SMALL_CONFIGURATION, type InceptionV3Options } from '@inception/inception';
import { repoRoot } from '@inception/testing';
import { backendPreference, initBackend, type BackendName } from '@inception/tf-runtime';
import { chooseBatchSize } from '../../apps/trainer/src/domain/batch-size.js';
import {
  makePhotoSizedImages,
  measurePreprocessing,
  measureTrainingFromPipeline,
  measureTrainingSteps,
  readSampleImages,
  trainingFlopsPerImage,
  type PipelineTrainingMeasurement,
  type PreprocessMeasurement,
  type StepMeasurement,
} from './train-measure.js';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

/** Fashion-MNIST's 10 classes plus the background logit. */
const SMALL_MODEL: InceptionV3Options = { ...SMALL_CONFIGURATION.model, numClasses: 11 };
const FULL_MODEL: InceptionV3Options = { numClasses: 1001, imageSize: 299, auxLogits: true };
/** The smoke run keeps the cpu step short with batch 4, and runs the other backends at the same batch so the ratio compares like with like. */
const SMALL_BATCH_SIZE = flags.smoke ? 4 : SMALL_CONFIGURATION.batchSize;
const FULL_BATCH_SIZE = flags.smoke ? 1 : 4;
/** Warm-up and timed steps. One cpu step of the small configuration at batch 16 takes about half a minute. */
const STEPS = flags.smoke
  ? { small: { warmUp: 1, timed: 2 }, cpu: { warmUp: 0, timed: 1 }, full: { warmUp: 0, timed: 1 }, pipeline: { warmUp: 2, timed: 5 } }
  : { small: { warmUp: 2, timed: 10 }, cpu: { warmUp: 1, timed: 2 }, full: { warmUp: 1, timed: 3 }, pipeline: { warmUp: 5, timed: 30 } };
const PREPROCESS_IMAGES = flags.smoke ? 64 : 512;
const cores = availableParallelism();

const benchStartedMs = performance.now();
const say = (line: string) => {
  if (!flags.json) console.log(`[${((performance.now() - benchStartedMs) / 1000).toFixed(1).padStart(6)} s] ${line}`);
};

interface BackendResult {
  backend: BackendName;
  /** Reason the backend was skipped, when it did not load. */
  unavailable?: string;
  small?: StepMeasurement;
  full?: StepMeasurement & { gigaflopsPerSecond: number; gigaflopsPerCpuSecond: number; batchNote?: string };
}

const results: BackendResult[] = [];
for (const backend of backendPreference) {
  try {
    await initBackend({ forced: backend });
  } catch (error) {
    results.push({ backend, unavailable: error instanceof Error ? error.message : String(error) });
    say(`${backend}: not available (${results.at(-1)!.unavailable})`);
    continue;
  }
  const result: BackendResult = { backend };
  results.push(result);

  const steps = backend === 'cpu' ? STEPS.cpu : STEPS.small;
  say(`${backend}: small configuration, batch ${SMALL_BATCH_SIZE}, ${steps.warmUp} warm-up + ${steps.timed} timed steps`);
  result.small = await measureTrainingSteps(SMALL_MODEL, SMALL_BATCH_SIZE, steps.warmUp, steps.timed);
  say(`${backend}: ${result.small.examplesPerSecond.toFixed(2)} examples/s, ${result.small.examplesPerCpuSecond.toFixed(2)} per CPU second (${result.small.secondsPerStep.toFixed(3)} s per step)`);

  if (backend === 'cpu') continue;
  // The 4 GiB wasm heap fits batch 2 of the full model but aborts the process at batch 4, so a
  // batch that the memory estimate rejects is reduced rather than tried.
  const fitting = backend === 'tensorflow-gpu' ? FULL_BATCH_SIZE : (await chooseBatchSize({ backend, model: FULL_MODEL, maxBatchSize: FULL_BATCH_SIZE })).batchSize;
  say(`${backend}: full model at 299 pixels with the aux head, batch ${fitting}, ${STEPS.full.warmUp} warm-up + ${STEPS.full.timed} timed steps`);
  const full = await measureTrainingSteps(FULL_MODEL, fitting, STEPS.full.warmUp, STEPS.full.timed);
  result.full = {
    ...full,
    gigaflopsPerSecond: (full.examplesPerSecond * trainingFlopsPerImage(full.forwardMultiplyAddsPerImage)) / 1e9,
    gigaflopsPerCpuSecond: (full.examplesPerCpuSecond * trainingFlopsPerImage(full.forwardMultiplyAddsPerImage)) / 1e9,
    batchNote: fitting < FULL_BATCH_SIZE ? `batch ${FULL_BATCH_SIZE} exceeds the memory estimate, so batch ${fitting}` : undefined,
  };
  say(`${backend}: ${full.examplesPerSecond.toFixed(3)} examples/s, ${result.full.gigaflopsPerSecond.toFixed(2)} GFLOP/s, ${result.full.gigaflopsPerCpuSecond.toFixed(2)} per CPU second (${full.secondsPerStep.toFixed(1)} s per step)`);
}

const cpuSmall = results.find((result) => result.backend === 'cpu')?.small;
// By CPU time as well as wall time: under load from other processes, the wall-clock ratio moves
// with the load during each measurement.
const speedups = results
  .filter((result) => result.small && result.backend !== 'cpu' && cpuSmall)
  .map((result) => ({
    backend: result.backend,
    speedupOverCpu: result.small!.examplesPerSecond / cpuSmall!.examplesPerSecond,
    cpuTimeSpeedupOverCpu: result.small!.examplesPerCpuSecond / cpuSmall!.examplesPerCpuSecond,
  }));

// Preprocessing on the fastest backend that loaded, which only stacks the batches.
const fastest = results.find((result) => result.small)!;
await initBackend({ forced: fastest.backend });
const samples = await readSampleImages(path.join(repoRoot, 'data/samples/fashion-mnist'), 'train');
const sources = [{ source: 'Fashion-MNIST 28×28', images: samples }];
if (!flags.smoke) sources.push({ source: 'photo-sized 500×375', images: await makePhotoSizedImages(samples, 64, 1) });
const preprocessing: Array<PreprocessMeasurement & { source: string; imageSize: number }> = [];
for (const { source, images } of sources) {
  for (const imageSize of flags.smoke ? [75] : [75, 299]) {
    for (const threads of flags.smoke ? [cores] : [...new Set([1, cores])]) {
      const measured = await measurePreprocessing(images, imageSize, threads, PREPROCESS_IMAGES);
      preprocessing.push({ ...measured, source, imageSize });
      say(`preprocessing ${source} to ${imageSize} px on ${threads} thread(s): ${measured.imagesPerSecond.toFixed(0)} images/s, ${measured.imagesPerSecondPerThread.toFixed(0)} per thread, ${measured.imagesPerCpuSecond.toFixed(0)} per CPU second`);
    }
  }
}

say(`${fastest.backend}: small configuration fed by the input pipeline, ${cores} preprocessing thread(s)`);
const fromPipeline: PipelineTrainingMeasurement = await measureTrainingFromPipeline(SMALL_MODEL, samples, SMALL_BATCH_SIZE, cores * 2, STEPS.pipeline.warmUp, STEPS.pipeline.timed);
say(`${fastest.backend}: ${fromPipeline.examplesPerSecond.toFixed(2)} examples/s from the pipeline, waiting for input ${(fromPipeline.inputWaitShare * 100).toFixed(1)} % of the time`);

const report = { smoke: flags.smoke, cores, node: process.version, results, speedups, preprocessing, fromPipeline };
if (flags.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log('\nSmall configuration (75 px, depth × 0.25, min depth 8, no aux head, 11 logits):');
  for (const result of results) {
    const small = result.small;
    const speedup = speedups.find((entry) => entry.backend === result.backend);
    const versusCpu = speedup ? `, ${speedup.speedupOverCpu.toFixed(1)}× cpu (${speedup.cpuTimeSpeedupOverCpu.toFixed(1)}× by CPU time)` : '';
    console.log(`  ${result.backend.padEnd(15)} ${small ? `${small.examplesPerSecond.toFixed(2)} examples/s at batch ${small.batchSize}, ${small.examplesPerCpuSecond.toFixed(2)} per CPU second${versusCpu}` : 'not available'}`);
  }
  console.log('Full model (299 px, aux head, 1001 logits), GFLOP/s = examples/s × 3 passes × 2 FLOPs × forward multiply-adds:');
  for (const result of results.filter((entry) => entry.full)) {
    console.log(`  ${''.padEnd(15)} ${(result.full!.forwardMultiplyAddsPerImage / 1e9).toFixed(3)} G multiply-adds per image forward`);
    console.log(`  ${result.backend.padEnd(15)} ${result.full!.examplesPerSecond.toFixed(3)} examples/s at batch ${result.full!.batchSize}, ${result.full!.gigaflopsPerSecond.toFixed(2)} GFLOP/s, ${result.full!.gigaflopsPerCpuSecond.toFixed(2)} per CPU second${result.full!.batchNote ? ` (${result.full!.batchNote})` : ''}`);
  }
}
