import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  DatasetVersionSchema,
  GetDatasetResponseSchema,
  ImportProgressSchema,
  IngestionService,
  ListDatasetsResponseSchema,
  type DatasetVersion,
  type ImportProgress,
  type ImportSettingsSchema,
} from '@inception/proto';
import { InvalidArgumentError, type Command } from 'commander';
import { connect } from '../clients.js';
import { sameRootsWarning } from '../same-location.js';
import { datasetListLines, datasetSummaryLines, importProgressBar, importProgressLines, silentDisplay, skippedFileLines, type ImportDisplay } from './dataset-output.js';
import { prepareUpload, uploadMessages } from './dataset-upload.js';
import { withOptionNames, type OptionFields } from './option-fields.js';
import { nonNegativeInteger } from './option-parsers.js';
import { addressOption, messageJson, serviceAddress, withDefault } from './output.js';

/** Time one import may take, in milliseconds; an estimate with room for ImageNet-size imports. */
const IMPORT_TIMEOUT_MS = 24 * 3_600_000;

export interface DatasetCommonOptions {
  /** Ingestion service address (default: $INCEPTION_INGESTION, else 127.0.0.1:50051). */
  ingestion?: string;
  json: boolean;
}

export interface DatasetImportOptions extends DatasetCommonOptions {
  name: string;
  /** One root to split, or the train and validation roots: folders, archives or s3:// URIs. */
  sources: string[];
  validationPerClass?: number;
  validationFraction?: number;
  seed?: bigint;
  labelsFile?: string;
  /** Send local sources through UploadDataset instead of passing their paths. */
  upload: boolean;
}

export interface DatasetTerminal {
  /** Prints one line of the result to standard output. */
  print(line: string): void;
  /** Prints a warning line (default: to standard error). */
  warn?(line: string): void;
  /** Stream for the progress bar, or undefined for plain progress lines (not a terminal). */
  barStream?: NodeJS.WritableStream;
}

export interface DatasetImportResult {
  dataset: DatasetVersion;
  created: boolean;
  /** The last progress message, when the watch received one. */
  progress?: ImportProgress;
}

function ingestionClient(options: DatasetCommonOptions) {
  return connect(IngestionService, serviceAddress(options.ingestion, 'ingestion'), { timeoutMs: IMPORT_TIMEOUT_MS, idempotentMethods: ['GetDataset', 'ListDatasets'] });
}

function splitFrom(options: DatasetImportOptions): MessageInitShape<typeof ImportSettingsSchema>['split'] {
  if (options.validationPerClass !== undefined && options.validationFraction !== undefined) {
    throw new InvalidArgumentError('give --validation-per-class or --validation-fraction, not both');
  }
  if (options.validationPerClass !== undefined) return { validation: { case: 'validationImagesPerClass', value: options.validationPerClass }, seed: options.seed };
  if (options.validationFraction !== undefined) return { validation: { case: 'validationFraction', value: options.validationFraction }, seed: options.seed };
  if (options.seed !== undefined) throw new InvalidArgumentError('--seed needs --validation-per-class or --validation-fraction');
  return undefined;
}

function localOrUri(source: string): string {
  return source.startsWith('s3://') ? source : path.resolve(source);
}

async function readLabelsFile(file: string | undefined): Promise<string> {
  if (file === undefined) return '';
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the labels file "${file}": ${(error as Error).message}`, { cause: error });
  }
}

function displayFor(options: DatasetImportOptions, terminal: DatasetTerminal): ImportDisplay {
  if (options.json) return silentDisplay;
  return terminal.barStream ? importProgressBar(terminal.barStream) : importProgressLines(terminal.print);
}

/**
 * `inception dataset import`: imports one root with a split, or train and validation roots,
 * shows progress from WatchImport, and prints a summary per class (or JSON with --json).
 */
export async function runDatasetImport(options: DatasetImportOptions, terminal: DatasetTerminal): Promise<DatasetImportResult> {
  if (options.sources.length < 1 || options.sources.length > 2) {
    throw new InvalidArgumentError(`expected one source to split, or train and validation sources, got ${options.sources.length}`);
  }
  const split = splitFrom(options);
  if (options.sources.length === 1 && !split) {
    throw new InvalidArgumentError('one source needs --validation-per-class N (the Flowers recipe uses 100) or --validation-fraction F');
  }
  if (options.sources.length === 2 && split) {
    throw new InvalidArgumentError('train and validation sources are already split; drop --validation-per-class, --validation-fraction and --seed');
  }
  if (options.sources.length === 2) {
    const warning = await sameRootsWarning(options.sources[0]!, options.sources[1]!);
    if (warning && terminal.warn) terminal.warn(warning);
    else if (warning) console.error(warning);
  }
  const importId = `cli-${randomUUID()}`;
  const settings = { labelsFile: await readLabelsFile(options.labelsFile), split, importId };

  const client = ingestionClient(options);
  const display = displayFor(options, terminal);
  const stopWatching = new AbortController();
  let attached = false;
  let progress: ImportProgress | undefined;
  // A failed watch (an older service, another replica) only costs the progress output.
  const watching = (async () => {
    for await (const message of client.watchImport({ importId, waitForStart: true }, { signal: stopWatching.signal })) {
      attached = true;
      progress = message.progress;
      if (progress) display.update(progress);
    }
  })().catch(() => undefined);

  try {
    let response: { dataset?: DatasetVersion; created: boolean };
    try {
      response = options.upload ? await upload(client, options, settings, display) : await client.importDataset(importRequest(options, settings));
    } finally {
      if (!attached) stopWatching.abort();
    }
    await watching;
    display.stop();

    const result = { dataset: response.dataset!, created: response.created, progress };
    if (options.json) {
      terminal.print(JSON.stringify({ dataset: messageJson(DatasetVersionSchema, result.dataset), created: result.created, progress: progress ? messageJson(ImportProgressSchema, progress) : null }, null, 2));
    } else {
      for (const line of datasetSummaryLines(result.dataset, result.created)) terminal.print(line);
    }
    return result;
  } finally {
    stopWatching.abort();
    display.stop();
    client.close();
  }
}

function importRequest(options: DatasetImportOptions, settings: MessageInitShape<typeof ImportSettingsSchema>) {
  const [first, second] = options.sources.map(localOrUri);
  return second === undefined ? { name: options.name, source: first, settings } : { name: options.name, trainSource: first, validationSource: second, settings };
}

async function upload(client: ReturnType<typeof ingestionClient>, options: DatasetImportOptions, settings: MessageInitShape<typeof ImportSettingsSchema>, display: ImportDisplay) {
  const sources = options.sources.map((source) => {
    if (source.startsWith('s3://')) throw new InvalidArgumentError(`--upload sends local files; pass ${source} without --upload`);
    return path.resolve(source);
  });
  const archive = await prepareUpload(sources);
  try {
    let sentBytes = 0;
    const messages = uploadMessages(archive, { name: options.name, settings }, (bytes) => {
      sentBytes += bytes;
      display.sent(sentBytes, archive.sizeBytes);
    });
    return await client.uploadDataset(messages);
  } finally {
    await archive.remove();
  }
}

/** Splits "NAME" or "NAME@VERSION"; a missing version means the newest. */
export function parseDatasetName(text: string): { name: string; version?: number } {
  const match = /^([^@\s]+)(?:@(\d+))?$/.exec(text);
  const version = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!match || (version !== undefined && (!Number.isSafeInteger(version) || version <= 0))) {
    throw new InvalidArgumentError(`expected NAME or NAME@VERSION with a positive version, e.g. flowers@1, got "${text}"`);
  }
  return { name: match[1], version };
}

/** `inception dataset list`: a table with a header row and one row per dataset version, or JSON. */
export async function runDatasetList(options: DatasetCommonOptions & { name?: string }, terminal: DatasetTerminal): Promise<DatasetVersion[]> {
  const client = ingestionClient(options);
  try {
    const response = await client.listDatasets({ name: options.name ?? '' }, { timeoutMs: 60_000 });
    if (options.json) terminal.print(JSON.stringify(messageJson(ListDatasetsResponseSchema, response), null, 2));
    else if (response.datasets.length === 0) terminal.print(options.name ? `no versions of dataset "${options.name}"` : 'no datasets');
    else for (const line of datasetListLines(response.datasets)) terminal.print(line);
    return response.datasets;
  } finally {
    client.close();
  }
}

/** `inception dataset show`: the summary per class of one version (the newest when none is named). */
export async function runDatasetShow(options: DatasetCommonOptions & { dataset: string; skipped: boolean }, terminal: DatasetTerminal): Promise<DatasetVersion> {
  const { name, version: requested } = parseDatasetName(options.dataset);
  const client = ingestionClient(options);
  try {
    let version = requested;
    if (version === undefined) {
      const listed = await client.listDatasets({ name }, { timeoutMs: 60_000 });
      version = listed.datasets.at(-1)?.ref?.version;
      if (version === undefined) throw new Error(`dataset "${name}" has no versions; import one with inception dataset import`);
    }
    const response = await client.getDataset({ dataset: { name, version }, includeSkipped: options.skipped }, { timeoutMs: 60_000 });
    if (options.json) {
      terminal.print(JSON.stringify(messageJson(GetDatasetResponseSchema, response), null, 2));
    } else {
      for (const line of datasetSummaryLines(response.dataset!)) terminal.print(line);
      if (options.skipped) {
        terminal.print(response.skipped.length ? 'skipped files (split, path, reason, detail):' : 'no skipped files');
        for (const line of skippedFileLines(response.skipped)) terminal.print(line);
      }
    }
    return response.dataset!;
  } finally {
    client.close();
  }
}

function fraction(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value >= 1) throw new InvalidArgumentError('expected a number from 0 up to but not including 1');
  return value;
}

function seedValue(text: string): bigint {
  if (!/^\d+$/.test(text) || BigInt(text) >= 2n ** 53n) throw new InvalidArgumentError('expected a whole number from 0 to 2^53 - 1');
  return BigInt(text);
}

function terminalFor(json: boolean): DatasetTerminal {
  return { print: (line) => console.log(line), barStream: !json && process.stderr.isTTY ? process.stderr : undefined };
}

/** The ImportDataset fields that the options of `inception dataset import` set, for the ingestion service's messages. */
const IMPORT_OPTION_FIELDS: OptionFields = {
  '--validation-per-class': ['split.validation_images_per_class', 'validation_images_per_class'],
  '--validation-fraction': ['split.validation_fraction', 'validation_fraction'],
  '--seed': ['split.seed'],
  '--labels-file': ['settings.labels_file', 'labels_file'],
};

/** Adds `inception dataset import|list|show`. */
export function registerDatasetCommands(program: Command): void {
  const dataset = program.command('dataset').description('import labelled image folders as dataset versions, and list and show them');

  dataset
    .command('import')
    .description('import class folders (<root>/<class>/<image>) from a folder, a .tar/.tar.gz/.tgz/.zip archive or an s3:// prefix')
    .argument('<name>', 'dataset name: lower-case letters, digits, - and _')
    .argument('<sources...>', 'one root to split, or a train root and a validation root')
    .option('--validation-per-class <n>', 'split one root: validation files per class (the Flowers recipe uses 100), picked before decoding, so a skipped file leaves its class one fewer', nonNegativeInteger)
    .option('--validation-fraction <f>', 'split one root: share of each class for validation, e.g. 0.1', fraction)
    .option('--seed <s>', withDefault('seed of the split', '12345, as in build_image_data.py'), seedValue)
    .option('--labels-file <file>', 'class names in label order, one per line (default: sorted folder names)')
    .option('--upload', 'send local folders or an archive to the service instead of their paths on its file system', false)
    .option('--json', 'print the dataset version and the last progress as JSON', false)
    .addOption(addressOption('ingestion'))
    .action(
      withOptionNames(IMPORT_OPTION_FIELDS, async (name: string, sources: string[], options: Omit<DatasetImportOptions, 'name' | 'sources'>) => {
        await runDatasetImport({ ...options, name, sources }, terminalFor(options.json));
      }),
    );

  dataset
    .command('list')
    .description('list dataset versions')
    .argument('[name]', 'only versions of this dataset')
    .option('--json', 'print JSON', false)
    .addOption(addressOption('ingestion'))
    .action(async (name: string | undefined, options: DatasetCommonOptions) => {
      await runDatasetList({ ...options, name }, terminalFor(true));
    });

  dataset
    .command('show')
    .description('show a dataset version with a summary per class')
    .argument('<dataset>', 'NAME@VERSION, or NAME for the newest version')
    .option('--skipped', 'list every skipped file with its reason', false)
    .option('--json', 'print JSON', false)
    .addOption(addressOption('ingestion'))
    .action(async (name: string, options: DatasetCommonOptions & { skipped: boolean }) => {
      await runDatasetShow({ ...options, dataset: name }, terminalFor(true));
    });
}
