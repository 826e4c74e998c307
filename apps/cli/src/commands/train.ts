import { JobKind, JobSchema, TrainerService } from '@inception/proto';
import { connect } from '../clients.js';
import { InvalidArgumentError, type Command } from 'commander';
import { describeJobLine } from './jobs.js';
import { printMessageJson, serviceAddress } from './output.js';

interface SubmitOptions {
  trainer?: string;
  dataset: string;
  shardSet: string;
  base?: string;
  registerModel?: string;
  imageSize?: number;
  depthMultiplier?: number;
  minDepth?: number;
  batchSize?: number;
  steps?: number;
  learningRate?: number;
  epochsPerDecay?: number;
  batchNormDecay?: number;
  movingAverageDecay?: number;
  seed?: number;
  watch: boolean;
  json: boolean;
}

function parseDatasetReference(value: string): { name: string; version: number } {
  const match = /^([a-z0-9][a-z0-9_-]*)@([1-9][0-9]*)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`expected <dataset>@<version>, e.g. flowers@1, got "${value}"`);
  return { name: match[1]!, version: Number(match[2]) };
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return parsed;
}

async function submit(kind: JobKind, options: SubmitOptions): Promise<void> {
  const client = connect(TrainerService, serviceAddress(options.trainer, 'INCEPTION_TRAINER', 50054), { idempotentMethods: ['GetJob', 'ListJobs', 'WatchJob'] });
  try {
    const { job } = await client.submitJob({
      spec: {
        kind,
        dataset: parseDatasetReference(options.dataset),
        shardSetId: options.shardSet,
        baseModelVersion: options.base ?? '',
        registerModel: options.registerModel ?? '',
        config: {
          imageSize: options.imageSize,
          depthMultiplier: options.depthMultiplier,
          minDepth: options.minDepth,
          batchSize: options.batchSize,
          maxSteps: options.steps,
          initialLearningRate: options.learningRate,
          numEpochsPerDecay: options.epochsPerDecay,
          batchNormDecay: options.batchNormDecay,
          movingAverageDecay: options.movingAverageDecay,
          seed: options.seed,
        },
      },
    });
    if (!options.watch) {
      if (options.json) printMessageJson(JobSchema, job!);
      else console.log(describeJobLine(job!));
      return;
    }
    let last = job!;
    for await (const update of client.watchJob({ jobId: job!.id })) {
      last = update.job!;
      if (!options.json) console.log(describeJobLine(last));
    }
    if (options.json) printMessageJson(JobSchema, last);
    if (last.error) process.exitCode = 1;
  } finally {
    client.close();
  }
}

function jobOptions(command: Command): Command {
  return command
    .option('--trainer <address>', 'trainer gRPC address (default $INCEPTION_TRAINER or 127.0.0.1:50054)')
    .requiredOption('--dataset <name@version>', 'dataset version whose shards to use', (value) => (parseDatasetReference(value), value))
    .requiredOption('--shard-set <id>', 'shard set id returned by `inception shard`')
    .option('--image-size <pixels>', 'square input side (default 299; at least 75)', positiveNumber)
    .option('--depth-multiplier <factor>', 'factor on every convolution depth (default 1)', positiveNumber)
    .option('--min-depth <channels>', 'smallest convolution depth (default 16)', positiveNumber)
    .option('--batch-size <images>', 'images per step (default 32)', positiveNumber)
    .option('--seed <n>', 'seed of initialisation and input order', positiveNumber)
    .option('--watch', 'follow the job until it ends', false)
    .option('--json', 'print JSON', false);
}

/** Adds `inception train`, `inception fine-tune` and `inception eval`. */
export function registerTrainCommands(program: Command): void {
  for (const [name, kind, description] of [
    ['train', JobKind.TRAIN, 'queue a training job from scratch'],
    ['fine-tune', JobKind.FINE_TUNE, 'queue a fine-tune from a model version (logits re-initialised when the class count differs)'],
  ] as const) {
    const command = jobOptions(program.command(name).description(description))
      .option('--steps <n>', 'training steps', positiveNumber)
      .option('--learning-rate <rate>', 'initial learning rate (default 0.1; the Flowers fine-tune recipe uses 0.001)', positiveNumber)
      .option('--epochs-per-decay <epochs>', 'epochs between learning-rate decays (default 30)', positiveNumber)
      .option('--batch-norm-decay <decay>', 'decay of the batch-norm moving statistics (default 0.9997)', positiveNumber)
      .option('--moving-average-decay <decay>', 'decay of the weight averages used for evaluation (default 0.9999)', positiveNumber)
      .option('--register-model <name>', 'register the final checkpoint as a version of this model');
    if (kind === JobKind.FINE_TUNE) command.requiredOption('--base <model@version>', 'model version to start from');
    command.action(async (options: SubmitOptions) => submit(kind, options));
  }

  jobOptions(program.command('eval').description('queue an evaluation of a model version on the validation shards'))
    .requiredOption('--base <model@version>', 'model version to evaluate')
    .action(async (options: SubmitOptions) => submit(JobKind.EVALUATE, options));
}
