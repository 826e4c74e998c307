import { JobKind, JobSchema, TrainerService } from '@inception/proto';
import { connect } from '../clients.js';
import { nonNegativeInteger, openUnitInterval, positiveInteger, positiveNumber } from './option-parsers.js';
import type { Command } from 'commander';
import { parseDatasetReference } from './dataset-reference.js';
import { describeJobLine } from './jobs.js';
import { parseModelReference, registryClient, resolveModelVersion } from './model-reference.js';
import { withOptionNames, type OptionFields } from './option-fields.js';
import { addressOption, printMessageJson, serviceAddress, withDefault } from './output.js';

interface SubmitOptions {
  trainer: string;
  /** Model registry address; fine-tune and eval read it to resolve an alias in --base. */
  registry?: string;
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
  learningRateDecayFactor?: number;
  labelSmoothing?: number;
  weightDecay?: number;
  checkpointEvery?: number;
  auxLogits?: boolean;
  autoBatchSize?: boolean;
  seed?: number;
  watch: boolean;
  json: boolean;
}

/**
 * Returns --base as "<model>@<version>", the form the trainer takes, asking the registry what
 * an alias such as flowers@production points to. The job then records the version number, so
 * it stays the same when the alias moves later.
 */
async function resolveBase(options: SubmitOptions): Promise<string> {
  if (options.base === undefined) return '';
  const reference = parseModelReference(options.base, { versionRequired: true });
  if (reference.alias === undefined) return options.base;

  const client = registryClient(serviceAddress(options.registry, 'registry'));
  try {
    const resolved = `${reference.model}@${await resolveModelVersion(client, reference)}`;
    if (!options.json) console.log(`--base ${options.base} is ${resolved}`);
    return resolved;
  } finally {
    client.close();
  }
}

async function submit(kind: JobKind, options: SubmitOptions): Promise<void> {
  const baseModelVersion = await resolveBase(options);
  const client = connect(TrainerService, options.trainer, { idempotentMethods: ['GetJob', 'ListJobs', 'WatchJob'] });
  try {
    const { job } = await client.submitJob({
      spec: {
        kind,
        dataset: parseDatasetReference(options.dataset, { versionRequired: true }),
        shardSetId: options.shardSet,
        baseModelVersion,
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
          learningRateDecayFactor: options.learningRateDecayFactor,
          labelSmoothing: options.labelSmoothing,
          weightDecay: options.weightDecay,
          checkpointEverySteps: options.checkpointEvery,
          auxLogits: options.auxLogits,
          autoBatchSize: options.autoBatchSize,
          seed: options.seed,
        },
      },
    });
    if (!options.watch) {
      if (options.json) printMessageJson(JobSchema, job!);
      else console.log(`${describeJobLine(job!)}\nfollow it with: inception jobs watch ${job!.id}`);
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

// The CLI sends only the options that are given, and the trainer fills the rest: the recipe's values
// for a job from scratch, and the base version's architecture for fine-tune and eval jobs. The help
// texts state those defaults.
// NOTE: the numbers repeat RECIPE_DEFAULTS in apps/trainer/src/domain/hyper-parameters.ts; change both together.
const RECIPE_ARCHITECTURE = { imageSize: '299', depthMultiplier: '1', minDepth: '16' };
const RANDOM_SEED_DEFAULT = 'random, chosen by the trainer and shown by `inception jobs show`';

/**
 * Adds the options every job takes: for train the architecture, and for train and fine-tune the
 * seed. Fine-tune and eval jobs build the base version's architecture, and the trainer rejects
 * any other. An evaluation reads the validation shards in order, so a seed would change nothing.
 */
function jobOptions(command: Command, kind: JobKind): Command {
  command
    .addOption(addressOption('trainer'))
    .requiredOption('--dataset <name@version>', 'dataset version whose shards to use', (value) => (parseDatasetReference(value, { versionRequired: true }), value))
    .requiredOption('--shard-set <id>', 'shard set id returned by `inception shard`');
  if (kind === JobKind.TRAIN) {
    command
      .option('--image-size <pixels>', withDefault('square input side, at least 75', RECIPE_ARCHITECTURE.imageSize), positiveInteger)
      .option('--depth-multiplier <factor>', withDefault('factor on every convolution depth', RECIPE_ARCHITECTURE.depthMultiplier), positiveNumber)
      .option('--min-depth <channels>', withDefault('smallest convolution depth', RECIPE_ARCHITECTURE.minDepth), positiveInteger);
  }
  if (kind === JobKind.TRAIN || kind === JobKind.FINE_TUNE) {
    command
      .option('--batch-size <images>', withDefault('images per step', '32'), positiveInteger)
      .option('--seed <n>', withDefault(kind === JobKind.TRAIN ? 'seed of initialisation and input order' : 'seed of the new logits and of the input order', RANDOM_SEED_DEFAULT), nonNegativeInteger);
  } else {
    command.option('--batch-size <images>', withDefault('images per evaluation batch, for speed and memory; every image counts once whatever the size', '32'), positiveInteger);
  }
  return command.option('--watch', 'follow the job until it ends', false).option('--json', 'print JSON', false);
}

/** The SubmitJob fields that the options of train, fine-tune and eval set, for the trainer's messages. */
const JOB_OPTION_FIELDS: OptionFields = {
  '--dataset': ['spec.dataset', 'spec.dataset.name', 'spec.dataset.version'],
  '--shard-set': ['spec.shard_set_id'],
  '--base': ['spec.base_model_version'],
  '--register-model': ['spec.register_model'],
  '--steps': ['config.max_steps'],
  '--image-size': ['config.image_size', 'image_size'],
  '--depth-multiplier': ['config.depth_multiplier', 'depth_multiplier'],
  '--min-depth': ['config.min_depth', 'min_depth'],
  '--batch-size': ['config.batch_size', 'batch_size'],
  '--learning-rate': ['config.initial_learning_rate'],
  '--epochs-per-decay': ['config.num_epochs_per_decay'],
  '--batch-norm-decay': ['config.batch_norm_decay'],
  '--moving-average-decay': ['config.moving_average_decay'],
  '--learning-rate-decay-factor': ['config.learning_rate_decay_factor'],
  '--label-smoothing': ['config.label_smoothing'],
  '--weight-decay': ['config.weight_decay'],
  '--checkpoint-every': ['config.checkpoint_every_steps'],
  '--aux-logits': ['config.aux_logits'],
  '--auto-batch-size': ['config.auto_batch_size'],
  '--seed': ['config.seed'],
};

/** Adds --base, which takes a version number or an alias, and the registry address that resolves an alias. */
function baseOptions(command: Command, description: string): Command {
  return command
    .requiredOption('--base <model@version|alias>', `${description}, e.g. flowers@3 or flowers@production`, (value: string) => (parseModelReference(value, { versionRequired: true }), value))
    .addOption(addressOption('registry'));
}

/** Adds `inception train`, `inception fine-tune` and `inception eval`. */
export function registerTrainCommands(program: Command): void {
  for (const [name, kind, description] of [
    ['train', JobKind.TRAIN, 'queue a training job from scratch'],
    ['fine-tune', JobKind.FINE_TUNE, "queue a fine-tune from a model version, with its architecture (logits re-initialised when the class count differs)"],
  ] as const) {
    const command = jobOptions(program.command(name).description(description), kind)
      .requiredOption('--steps <n>', 'training steps', positiveInteger)
      .option('--learning-rate <rate>', withDefault('initial learning rate; the Flowers fine-tune recipe uses 0.001', '0.1'), positiveNumber)
      .option('--epochs-per-decay <epochs>', withDefault('epochs between learning-rate decays', '30'), positiveNumber)
      .option('--batch-norm-decay <decay>', withDefault('decay of the batch-norm moving statistics', '0.9997'), openUnitInterval)
      .option('--moving-average-decay <decay>', withDefault('decay of the weight averages used for evaluation', '0.9999'), openUnitInterval)
      .option('--learning-rate-decay-factor <factor>', withDefault('factor on the learning rate at each decay', '0.16'), positiveNumber)
      .option('--label-smoothing <amount>', withDefault('share of the target spread over all classes', '0.1'), openUnitInterval)
      .option('--weight-decay <factor>', withDefault('L2 factor on the weights', '0.00004'), positiveNumber)
      .option('--checkpoint-every <steps>', withDefault('steps between checkpoints', '5000'), positiveInteger)
      .option('--aux-logits', withDefault('train the auxiliary head', 'on from image size 107'))
      .option('--no-aux-logits', 'train without the auxiliary head')
      .option('--auto-batch-size', 'pick the largest batch that fits the backend\'s memory and scale the learning rate with it')
      .option('--register-model <name>', 'register the final checkpoint as a version of this model');
    if (kind === JobKind.FINE_TUNE) baseOptions(command, 'model version to start from');
    command.action(withOptionNames(JOB_OPTION_FIELDS, async (options: SubmitOptions) => submit(kind, options)));
  }

  baseOptions(jobOptions(program.command('eval').description("queue an evaluation of a model version on the validation shards, with the version's architecture"), JobKind.EVALUATE), 'model version to evaluate')
    .action(withOptionNames(JOB_OPTION_FIELDS, async (options: SubmitOptions) => submit(JobKind.EVALUATE, options)));
}
