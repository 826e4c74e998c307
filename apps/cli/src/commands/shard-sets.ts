import { ListShardSetsResponseSchema, ShardingService, ShardingState, type ListShardSetsResponse } from '@inception/proto';
import type { Command } from 'commander';
import { connect } from '../clients.js';
import { parseDatasetReference, type DatasetReference } from './dataset-reference.js';
import { addressOption, messageJson, serviceAddress } from './output.js';
import { formatTable, tableTime } from './table.js';

export interface ShardSetsOptions {
  json: boolean;
  /** Sharding service address (default: $INCEPTION_SHARDING, else 127.0.0.1:50052). */
  sharding?: string;
}

const STATE_NAMES: Record<ShardingState, string> = {
  [ShardingState.UNSPECIFIED]: 'unknown',
  [ShardingState.RUNNING]: 'running',
  [ShardingState.SUCCEEDED]: 'written',
  [ShardingState.FAILED]: 'failed',
};

const COLUMNS = [
  { header: 'DATASET' },
  { header: 'SET ID' },
  { header: 'STATE' },
  { header: 'SHARDS', align: 'right' },
  { header: 'TRAIN', align: 'right' },
  { header: 'VALIDATION', align: 'right' },
  { header: 'MB', align: 'right' },
  { header: 'CREATED' },
] as const;

/** Splits "NAME" or "NAME@VERSION" into a dataset reference; version 0 stands for every version. */
export function parseDatasetSelection(text: string): DatasetReference {
  return parseDatasetReference(text, { versionRequired: false });
}

/** Formats a set's creation time (RFC 3339 text) as the other listings print times, or the text as it is when it does not parse. */
function createdText(createdAt: string): string {
  const time = new Date(createdAt);
  return createdAt && !Number.isNaN(time.getTime()) ? tableTime(time) : createdAt;
}

/** Formats the listed sets as a table: written sets first, then unfinished ones, with an error line under each failed one. */
export function shardSetLines(response: ListShardSetsResponse, dataset: { name: string; version: number }): string[] {
  const rows: string[][] = [];
  const errors = new Map<number, string>();
  for (const set of response.shardSets) {
    const megabytes = set.shards.reduce((sum, shard) => sum + Number(shard.object?.sizeBytes ?? 0), 0) / 1e6;
    rows.push([`${set.dataset?.name}@${set.dataset?.version}`, set.setId, 'written', String(set.shards.length), String(set.trainRecords), String(set.validationRecords), megabytes.toFixed(1), createdText(set.createdAt)]);
  }
  for (const progress of response.unfinished) {
    const [train, validation] = ['train', 'validation'].map((split) => progress.splits.find((counts) => counts.split === split));
    rows.push([
      `${progress.dataset?.name}@${progress.dataset?.version}`,
      progress.setId,
      STATE_NAMES[progress.state],
      `${progress.shardsDone}/${progress.shardsTotal}`,
      `${train?.imagesWritten ?? 0}/${train?.imagesTotal ?? 0}`,
      `${validation?.imagesWritten ?? 0}/${validation?.imagesTotal ?? 0}`,
      (Number(progress.bytesWritten) / 1e6).toFixed(1),
      '',
    ]);
    if (progress.error) errors.set(rows.length - 1, progress.error);
  }
  if (rows.length === 0) return [`no shard sets; write one with inception shard --dataset ${dataset.name}@${dataset.version > 0 ? dataset.version : 'VERSION'}`];

  // An unfinished set's error goes on its own line under its row, where it cannot widen the table.
  const table = formatTable(COLUMNS, rows);
  return [table[0]!, ...rows.flatMap((_, index) => (errors.has(index) ? [table[index + 1]!, `  error: ${errors.get(index)}`] : [table[index + 1]!]))];
}

/** `inception shard-sets NAME[@VERSION]`: lists the dataset's shard sets as a table or JSON. */
export async function runShardSets(datasetText: string, options: ShardSetsOptions, print: (line: string) => void): Promise<ListShardSetsResponse> {
  const dataset = parseDatasetSelection(datasetText);
  const client = connect(ShardingService, serviceAddress(options.sharding, 'sharding'));
  try {
    const response = await client.listShardSets({ dataset });
    if (options.json) print(JSON.stringify(messageJson(ListShardSetsResponseSchema, response), null, 2));
    else for (const line of shardSetLines(response, dataset)) print(line);
    return response;
  } finally {
    client.close();
  }
}

export function registerShardSetsCommand(program: Command): void {
  program
    .command('shard-sets')
    .description('list the shard sets of a dataset: written ones, and those running, failed or left by a sharding replica that is gone')
    .argument('<dataset>', 'dataset name, e.g. flowers, or one version of it, e.g. flowers@1')
    .option('--json', 'print the sets as JSON', false)
    .addOption(addressOption('sharding'))
    .action(async (dataset: string, options: ShardSetsOptions) => {
      await runShardSets(dataset, options, (line) => console.log(line));
    });
}
