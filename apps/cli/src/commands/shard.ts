import type { MessageInitShape } from '@bufbuild/protobuf';
import { Compression, ShardDatasetResponseSchema, ShardingProgressSchema, ShardingService, type ShardDatasetRequestSchema, type ShardDatasetResponse, type ShardingProgress } from '@inception/proto';
import type { RpcClient } from '@inception/rpc';
import { connect } from '../clients.js';
import { parseDatasetReference, type DatasetReference } from './dataset-reference.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { withOptionNames, type OptionFields } from './option-fields.js';
import { positiveInteger } from './option-parsers.js';
import { addressOption, messageJson, serviceAddress, withDefault } from './output.js';
import { finishedSplitLine, nowMicroseconds, progressBar, progressLines, pythonTimestamp, type ProgressDisplay } from './shard-output.js';

export interface ShardOptions {
  /** Dataset version as NAME@VERSION, e.g. "flowers@3". */
  dataset: string;
  trainShards: number;
  validationShards: number;
  numThreads: number;
  compression: 'none' | 'gzip' | 'zlib';
  seed?: bigint;
  json: boolean;
  /** Sharding service address (default: $INCEPTION_SHARDING, else 127.0.0.1:50052). */
  sharding?: string;
}

export interface ShardTerminal {
  /** Prints one line of the result to standard output. */
  print(line: string): void;
  /** Stream for the progress bar, or undefined for plain progress lines (not a terminal). */
  barStream?: NodeJS.WritableStream;
}

type ShardingClient = RpcClient<typeof ShardingService.method>;
type ShardRequest = MessageInitShape<typeof ShardDatasetRequestSchema>;

/** Time a whole shard set may take, in milliseconds. ImageNet-size sets can take hours on a few replicas (an estimate). */
const SHARD_TIMEOUT_MS = 12 * 3_600_000;

const COMPRESSIONS = { none: Compression.NONE, gzip: Compression.GZIP, zlib: Compression.ZLIB } as const;

/** Splits "NAME@VERSION" into its parts. */
export function parseDatasetVersion(text: string): DatasetReference {
  return parseDatasetReference(text, { versionRequired: true });
}

function seedValue(text: string): bigint {
  if (!/^\d+$/.test(text) || BigInt(text) >= 2n ** 64n) throw new InvalidArgumentError(`expected an integer from 0 to 2^64 - 1, got "${text}"`);
  return BigInt(text);
}

/**
 * Follows the set's progress: the replica that runs the call streams it live, and any other
 * replica from the set's progress record. Returns the last progress seen, or undefined when
 * nothing arrived.
 */
async function followProgress(client: ShardingClient, request: ShardRequest, display: ProgressDisplay, state: { attached: boolean }, signal: AbortSignal): Promise<ShardingProgress | undefined> {
  let last: ShardingProgress | undefined;
  for await (const message of client.watchSharding({ request, waitForStart: true }, { signal })) {
    state.attached = true;
    last = message.progress;
    if (last) display.update(last, message.finishedShards);
  }
  return last;
}

/**
 * `inception shard`: requests a shard set of a dataset version from the sharding service, shows its
 * progress, and prints build_image_data.py's closing line per split (validation first, as the
 * original writes it first). Returns the service's response.
 */
export async function runShard(options: ShardOptions, terminal: ShardTerminal): Promise<ShardDatasetResponse> {
  const dataset = parseDatasetVersion(options.dataset);
  const client = connect(ShardingService, serviceAddress(options.sharding, 'sharding'), { timeoutMs: SHARD_TIMEOUT_MS, idempotentMethods: ['ShardDataset'] });
  const request: ShardRequest = {
    dataset,
    trainShards: options.trainShards,
    validationShards: options.validationShards,
    numThreads: options.numThreads,
    compression: COMPRESSIONS[options.compression],
    seed: options.seed,
  };

  const display = options.json ? { update() {}, stop() {} } : terminal.barStream ? progressBar(terminal.barStream) : progressLines(terminal.print, options.numThreads);
  const watchState = { attached: false };
  const stopWatching = new AbortController();
  // A watch that fails (e.g. a service without WatchSharding) only costs the progress output.
  const watching = followProgress(client, request, display, watchState, stopWatching.signal).catch(() => undefined);
  try {
    let response: ShardDatasetResponse;
    try {
      response = await client.shardDataset(request);
    } finally {
      // A watch still waiting for the set to start would wait forever, e.g. after a ShardDataset
      // that failed before the set started. A watch that is attached ends with the set.
      if (!watchState.attached) stopWatching.abort();
    }
    const last = await watching;
    display.stop(response.created);
    report(response, last, options, terminal);
    return response;
  } finally {
    stopWatching.abort();
    display.stop();
    client.close();
  }
}

function report(response: ShardDatasetResponse, last: ShardingProgress | undefined, options: ShardOptions, terminal: ShardTerminal): void {
  const shardSet = response.shardSet!;
  if (options.json) {
    terminal.print(JSON.stringify({ ...(messageJson(ShardDatasetResponseSchema, response) as object), progress: last ? messageJson(ShardingProgressSchema, last) : null }, null, 2));
    return;
  }

  const imagesOf = (split: 'train' | 'validation') => last?.splits.find((entry) => entry.split === split)?.imagesTotal ?? (split === 'train' ? shardSet.trainRecords : shardSet.validationRecords);
  for (const split of ['validation', 'train'] as const) {
    terminal.print(finishedSplitLine(pythonTimestamp(nowMicroseconds()), imagesOf(split)));
  }
  const rate = last && last.elapsedSeconds > 0 ? `, ${last.imagesPerSecond.toFixed(0)} images/s over ${last.elapsedSeconds.toFixed(1)} s` : '';
  const retries = last && last.attemptsRetried > 0 ? `, ${last.attemptsRetried} unit attempts retried` : '';
  terminal.print(
    `shard set ${shardSet.setId} (${response.created ? 'written' : 'existing'}): ${shardSet.trainRecords} train and ${shardSet.validationRecords} validation records in ${shardSet.shards.length} shards under ${shardSet.prefix}${rate}${retries}`,
  );
}

/** The ShardDataset fields that the options of `inception shard` set, for the sharding service's messages. */
const SHARD_OPTION_FIELDS: OptionFields = {
  '--dataset': ['dataset.name', 'dataset.version'],
  '--train-shards': ['train_shards'],
  '--validation-shards': ['validation_shards'],
  '--num-threads': ['num_threads'],
};

/** Adds `inception shard`. */
export function registerShardCommand(program: Command): void {
  program
    .command('shard')
    .description("write a dataset version's TFRecord shards as build_image_data.py does, through the sharding service, showing progress")
    .requiredOption('--dataset <name@version>', 'dataset version to shard, e.g. flowers@1')
    .option('--train-shards <n>', 'training shards; a multiple of --num-threads', positiveInteger, 2)
    .option('--validation-shards <n>', 'validation shards; a multiple of --num-threads', positiveInteger, 2)
    .option('--num-threads <n>', "threads of the original converter's work split, which decides what goes into each shard", positiveInteger, 2)
    .addOption(new Option('--compression <type>', 'compression of the shards').choices(['none', 'gzip', 'zlib']).default('none'))
    .option('--seed <s>', withDefault('seed of the shuffle', '12345, as in build_image_data.py'), seedValue)
    .option('--json', 'print the shard set and the final progress as JSON', false)
    .addOption(addressOption('sharding'))
    .action(
      withOptionNames(SHARD_OPTION_FIELDS, async (options: ShardOptions) => {
        await runShard(options, { print: (line) => console.log(line), barStream: !options.json && process.stderr.isTTY ? process.stderr : undefined });
      }),
    );
}
