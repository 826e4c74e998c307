import { JobKind, JobState, type Job, type ModelVersion } from '@inception/proto';
import type { Clients } from '../clients.js';

/** Settings of one pipeline run: dataset folders, shard counts and the training configuration. */
export interface PipelineSettings {
  datasetName: string;
  trainDirectory: string;
  validationDirectory: string;
  trainShards: number;
  validationShards: number;
  modelName: string;
  training: {
    imageSize: number;
    depthMultiplier: number;
    minDepth: number;
    batchSize: number;
    maxSteps: number;
    initialLearningRate: number;
    numEpochsPerDecay: number;
    batchNormDecay: number;
    movingAverageDecay: number;
    seed: number;
  };
}

export interface StageTiming {
  stage: string;
  seconds: number;
}

export interface PipelineResult {
  dataset: { name: string; version: number; trainImages: number; validationImages: number; skippedImages: number; convertedImages: number; created: boolean };
  shardSet: { setId: string; trainShards: number; validationShards: number; trainRecords: number; validationRecords: number };
  job: Job;
  version: ModelVersion;
  timings: StageTiming[];
}

async function timed<T>(timings: StageTiming[], stage: string, work: () => Promise<T>): Promise<T> {
  const startedMs = Date.now();
  try {
    return await work();
  } finally {
    timings.push({ stage, seconds: (Date.now() - startedMs) / 1000 });
  }
}

/** Runs import → shard → train → register through the services and returns what each step made. */
export async function runPipeline(clients: Clients, settings: PipelineSettings, report: (line: string) => void): Promise<PipelineResult> {
  const timings: StageTiming[] = [];

  report(`import ${settings.trainDirectory} and ${settings.validationDirectory} as dataset "${settings.datasetName}"`);
  const imported = await timed(timings, 'import', () =>
    clients.ingestion.importDataset({ name: settings.datasetName, trainSource: settings.trainDirectory, validationSource: settings.validationDirectory }),
  );
  const dataset = imported.dataset!;
  report(`dataset ${dataset.ref!.name} v${dataset.ref!.version}${imported.created ? '' : ' (existing)'}: ${dataset.trainImages} train and ${dataset.validationImages} validation images, ${dataset.labels.length} classes, ${dataset.convertedImages} converted to RGB JPEG, ${dataset.skippedImages} skipped`);

  report(`shard into ${settings.trainShards} train and ${settings.validationShards} validation shards`);
  const sharded = await timed(timings, 'shard', () =>
    clients.sharding.shardDataset({ dataset: dataset.ref, trainShards: settings.trainShards, validationShards: settings.validationShards, numThreads: 2 }),
  );
  const shardSet = sharded.shardSet!;
  report(`shard set ${shardSet.setId}: ${shardSet.trainRecords} train and ${shardSet.validationRecords} validation records in ${shardSet.shards.length} shards`);

  const job = await timed(timings, 'train + evaluate', async () => {
    const submitted = await clients.trainer.submitJob({
      spec: { kind: JobKind.TRAIN, dataset: dataset.ref, shardSetId: shardSet.setId, config: settings.training, registerModel: settings.modelName },
    });
    const jobId = submitted.job!.id;
    report(`training job ${jobId} queued: ${settings.training.maxSteps} steps at batch ${settings.training.batchSize}, image size ${settings.training.imageSize}`);
    let last: Job = submitted.job!;
    let lastReportedStep = -1;
    for await (const update of clients.trainer.watchJob({ jobId })) {
      last = update.job!;
      const step = last.lastStep;
      if (step && step.step !== lastReportedStep && last.state === JobState.RUNNING) {
        lastReportedStep = step.step;
        report(`step ${step.step}, loss = ${step.totalLoss.toFixed(2)} (${step.examplesPerSecond.toFixed(1)} examples/sec; ${step.stepSeconds.toFixed(3)} sec/batch; learning rate ${step.learningRate.toPrecision(3)}; backend ${last.backend})`);
      }
    }
    return last;
  });
  if (job.state !== JobState.SUCCEEDED) {
    throw new Error(`training job ${job.id} ended ${JobState[job.state]}: ${job.error || 'no error recorded'}`);
  }
  report(`precision @ 1 = ${job.eval!.precisionAt1.toFixed(4)} recall @ 5 = ${job.eval!.recallAt5.toFixed(4)} [${job.eval!.examples} examples]`);

  const [model, versionText] = job.modelVersion.split('@');
  const version = await clients.registry.getVersion({ model, version: Number(versionText) });

  return {
    dataset: {
      name: dataset.ref!.name,
      version: dataset.ref!.version,
      trainImages: dataset.trainImages,
      validationImages: dataset.validationImages,
      skippedImages: dataset.skippedImages,
      convertedImages: dataset.convertedImages,
      created: imported.created,
    },
    shardSet: {
      setId: shardSet.setId,
      trainShards: shardSet.shards.filter((shard) => shard.split === 'train').length,
      validationShards: shardSet.shards.filter((shard) => shard.split === 'validation').length,
      trainRecords: shardSet.trainRecords,
      validationRecords: shardSet.validationRecords,
    },
    job,
    version: version.version!,
    timings,
  };
}
