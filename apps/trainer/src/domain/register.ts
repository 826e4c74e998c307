import type { Job, RegistryService } from '@inception/proto';
import type { RpcClient } from '@inception/rpc';
import type { ShardSetManifest } from '@inception/storage';
import { describeHyperParameters, type HyperParameters } from './hyper-parameters.js';
import type { TrainingOutcome } from './run-training.js';

/** Registers a finished job's final checkpoint as a new model version with its lineage. */
export async function registerModelVersion(registry: RpcClient<typeof RegistryService.method>, job: Job, hyper: HyperParameters, shardSet: ShardSetManifest, outcome: Extract<TrainingOutcome, { kind: 'finished' }>) {
  const files = [...outcome.checkpoint.manifest.files, outcome.checkpoint.manifestFile];
  const response = await registry.createVersion({
    model: job.spec!.registerModel,
    files: files.map((file) => ({ key: file.key, sizeBytes: BigInt(file.sizeBytes), sha256: file.sha256 })),
    lineage: {
      dataset: shardSet.dataset,
      shardSetId: shardSet.setId,
      jobId: job.id,
      checkpointPrefix: outcome.checkpoint.prefix,
      hyperParameters: describeHyperParameters(hyper),
      metrics: outcome.evaluation && { precisionAt1: outcome.evaluation.precisionAt1, recallAt5: outcome.evaluation.recallAt5, examples: outcome.evaluation.examples, usedMovingAverages: true },
      backend: job.backend,
      numClasses: shardSet.labels.length + 1,
      labels: shardSet.labels,
      steps: outcome.steps,
      baseModelVersion: job.spec!.baseModelVersion,
    },
  });
  if (!response.version) throw new Error('the registry returned no version');
  return response.version;
}
