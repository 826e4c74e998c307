import path from 'node:path';
import { rm } from 'node:fs/promises';
import type { JsonObject } from '@bufbuild/protobuf';
import { EvalMetricsSchema, StepStatsSchema } from '@inception/proto';
import { createClients } from '../clients.js';
import { startStack } from '../stack/stack.js';
import { messageJson } from './output.js';
import { runPipeline, type PipelineResult, type PipelineSettings } from './pipeline.js';

export interface DemoOptions {
  steps: number;
  /** Folder with train/ and validation/ class folders. */
  samples: string;
  dataDir: string;
  keepData: boolean;
  json: boolean;
}

/**
 * Returns the settings of the demo run: the full Inception v3 topology at 75×75 with a
 * quarter of the depth, so a few hundred steps fit in minutes on two CPU cores. Its batch-norm
 * and averaging decays are faster than the recipe's 0.9997 and 0.9999, which need tens of
 * thousands of steps to forget their initial values. The learning rate drops once, after 6 of
 * the 8 epochs of 400 steps. Against batch-norm decay 0.99, learning rate 0.01 and no drop, these
 * settings raised precision @ 1 from 0.28–0.33 to 0.44 in one run each here.
 */
export function demoSettings(steps: number, samples: string): PipelineSettings {
  return {
    datasetName: 'fashion-mnist-sample',
    trainDirectory: path.join(samples, 'train'),
    validationDirectory: path.join(samples, 'validation'),
    trainShards: 2,
    validationShards: 2,
    modelName: 'fashion-mnist-demo',
    training: {
      imageSize: 75,
      depthMultiplier: 0.25,
      minDepth: 8,
      batchSize: 16,
      maxSteps: steps,
      initialLearningRate: 0.015,
      numEpochsPerDecay: 6,
      batchNormDecay: 0.9,
      movingAverageDecay: 0.99,
      seed: 12345,
    },
  };
}

function printSummary(result: PipelineResult, settings: PipelineSettings, totalSeconds: number): void {
  const version = result.version;
  const lineage = version.lineage!;
  const step = result.job.lastStep;
  const lines = [
    '',
    'Summary',
    `  dataset         ${result.dataset.name} v${result.dataset.version}: ${result.dataset.trainImages} train + ${result.dataset.validationImages} validation images, ${result.dataset.convertedImages} converted, ${result.dataset.skippedImages} skipped`,
    `  shards          ${result.shardSet.trainShards} train + ${result.shardSet.validationShards} validation (${result.shardSet.setId}), ${result.shardSet.trainRecords + result.shardSet.validationRecords} records`,
    `  training        job ${result.job.id} on ${result.job.backend}: ${lineage.steps} steps, final loss ${step ? step.totalLoss.toFixed(4) : 'n/a'}`,
    `  configuration   image size ${settings.training.imageSize}, depth multiplier ${settings.training.depthMultiplier}, min depth ${settings.training.minDepth}, batch ${settings.training.batchSize}, learning rate ${settings.training.initialLearningRate}, batch-norm decay ${settings.training.batchNormDecay}, moving-average decay ${settings.training.movingAverageDecay}`,
    `  evaluation      precision @ 1 = ${result.job.eval!.precisionAt1.toFixed(4)}, recall @ 5 = ${result.job.eval!.recallAt5.toFixed(4)} on ${result.job.eval!.examples} validation images (chance: ${(1 / lineage.labels.length).toFixed(4)})`,
    `  model version   ${version.model}@${version.version}: ${version.files.length} files, lineage dataset ${lineage.dataset!.name} v${lineage.dataset!.version}, shard set ${lineage.shardSetId}, job ${lineage.jobId}`,
    `  time per stage  ${result.timings.map((timing) => `${timing.stage} ${timing.seconds.toFixed(1)} s`).join(', ')}; total ${totalSeconds.toFixed(1)} s`,
  ];
  console.log(lines.join('\n'));
}

/**
 * Returns the `--json` summary of a demo run: the dataset and shard-set counts, the job's id,
 * backend, evaluation and last step, the registered version, and the time per stage.
 */
export function demoJson(result: PipelineResult, totalSeconds: number): JsonObject {
  const { job, version } = result;
  return {
    dataset: result.dataset,
    shardSet: result.shardSet,
    job: {
      id: job.id,
      backend: job.backend,
      eval: job.eval ? messageJson(EvalMetricsSchema, job.eval) : null,
      lastStep: job.lastStep ? messageJson(StepStatsSchema, job.lastStep) : null,
    },
    version: { model: version.model, version: version.version },
    timings: result.timings.map((timing) => ({ ...timing })),
    totalSeconds,
  };
}

/** `inception demo`: starts the stack, runs the whole pipeline on the bundled samples, prints a summary and stops. */
export async function runDemo(options: DemoOptions): Promise<void> {
  const startedMs = Date.now();
  const say = (line: string) => {
    if (!options.json) console.log(`[${((Date.now() - startedMs) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  };

  // A fresh folder per run: a job left RUNNING by an interrupted demo would otherwise resume first.
  await rm(options.dataDir, { recursive: true, force: true });
  say(`starting the stack in ${options.dataDir}`);
  const stack = await startStack({
    dataDir: options.dataDir,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
    onReady: (name, detail) => say(`${name} ready at ${detail}`),
  });
  {
    const clients = createClients({ ingestion: stack.services.ingestion.grpc, sharding: stack.services.sharding.grpc, registry: stack.services.registry.grpc, trainer: stack.services.trainer.grpc });
    try {
      const settings = demoSettings(options.steps, options.samples);
      const result = await runPipeline(clients, settings, say);
      const totalSeconds = (Date.now() - startedMs) / 1000;
      if (options.json) {
        console.log(JSON.stringify(demoJson(result, totalSeconds), null, 2));
      } else {
        printSummary(result, settings, totalSeconds);
      }
    } finally {
      clients.close();
      say('stopping the stack');
      await stack.stop();
      if (!options.keepData) await rm(options.dataDir, { recursive: true, force: true });
    }
  }
}
