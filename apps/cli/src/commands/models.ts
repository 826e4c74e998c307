import { AliasSchema, ModelSchema, ModelVersionSchema, SetAliasResponseSchema, type ModelVersion } from '@inception/proto';
import { positiveInteger, positiveNumber } from './option-parsers.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { isValidName, NAME_RULE } from '@inception/rpc';
import { initBackend } from '@inception/tf-runtime';
import { objectStoreFromEnv } from '../build-image-data/object-store-env.js';
import { readFile } from 'node:fs/promises';
import { exportVersion } from './models-export.js';
import { importTensorFlowCheckpoint } from './models-import.js';
import { parseModelReference, registryClient, resolveModelVersion, type ModelReference, type RegistryClient } from './model-reference.js';
import { lineageTree, modelOverviewLines } from './models-output.js';
import { withOptionNames, type OptionFields } from './option-fields.js';
import { addressOption, messageJson, printMessageJson } from './output.js';

/** Returns every version of a model, reading ListVersions page by page. */
async function listAllVersions(client: RegistryClient, model: string): Promise<ModelVersion[]> {
  const versions: ModelVersion[] = [];
  let pageToken = '';
  do {
    const page = await client.listVersions({ model, pageToken });
    versions.push(...page.versions);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return versions;
}

/** Prints a model for `inception models show <model>`: a row per version, with the aliases that point to it. */
async function showModel(client: RegistryClient, name: string, json: boolean): Promise<void> {
  const { model, aliases } = await client.getModel({ name });
  const versions = await listAllVersions(client, name);
  if (json) {
    const output = { model: messageJson(ModelSchema, model!), aliases: aliases.map((alias) => messageJson(AliasSchema, alias)), versions: versions.map((version) => messageJson(ModelVersionSchema, version)) };
    console.log(JSON.stringify(output, null, 2));
    return;
  }
  for (const line of modelOverviewLines(model!, aliases, versions)) console.log(line);
}

/**
 * Checks --model of import-tf before the checkpoint is read and uploaded under that name, with the
 * rule the registry applies when the version is created.
 */
function modelName(value: string): string {
  if (!isValidName(value)) throw new InvalidArgumentError(`model name "${value}" is invalid: use ${NAME_RULE}`);
  return value;
}

/** The SetAlias fields that the options of `inception models alias` set, for the registry's messages. */
const ALIAS_OPTION_FIELDS: OptionFields = {
  '--force': ['force'],
  '--protect': ['protect'],
};

/** Adds `inception models list|show|export|import-tf|alias`. */
export function registerModelCommands(program: Command): void {
  const models = program.command('models').description('model versions, lineage and aliases in the registry').addOption(addressOption('registry'));
  const parentOptions = () => models.opts<{ registry: string }>();

  models.command('list [model]').description('list models, or the versions of one model').option('--json', 'print JSON', false).action(async (model: string | undefined, options: { json: boolean }) => {
    const client = registryClient(parentOptions().registry);
    try {
      if (!model) {
        const { models: all } = await client.listModels({});
        if (options.json) console.log(JSON.stringify(all.map((entry) => entry.name)));
        else for (const entry of all) console.log(entry.name);
        return;
      }
      const { model: record, aliases, versions } = await client.getModel({ name: model });
      if (options.json) console.log(JSON.stringify({ model: record?.name, versions, aliases: aliases.map((alias) => ({ name: alias.name, version: alias.version, protected: alias.protected })) }));
      else {
        console.log(`${record?.name}: versions ${versions.join(', ') || 'none'}`);
        for (const alias of aliases) console.log(`  ${alias.name} → ${alias.version}${alias.protected ? ' (protected)' : ''}`);
      }
    } finally {
      client.close();
    }
  });

  models
    .command('show')
    .description('show a version and its lineage as a tree (every file is verified), or a model with its versions and aliases')
    .argument('<model[@version|alias]>', 'e.g. flowers@3, flowers@production, or flowers for the whole model', (text: string) => parseModelReference(text, { versionRequired: false }))
    .option('--json', 'print JSON', false)
    .action(async (reference: ModelReference, options: { json: boolean }) => {
      const client = registryClient(parentOptions().registry);
      try {
        if (reference.version === undefined && reference.alias === undefined) {
          await showModel(client, reference.model, options.json);
          return;
        }
        const version = await resolveModelVersion(client, reference);
        const response = await client.getVersion({ model: reference.model, version });
        if (options.json) printMessageJson(ModelVersionSchema, response.version!);
        else console.log(lineageTree(response.version!));
      } finally {
        client.close();
      }
    });

  models
    .command('export')
    .description('write a version as a tfjs layers model (model.json, weights.bin, labels.txt) that tf.loadLayersModel loads without this project; reads the files from S3 (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET)')
    .argument('<model@version|alias>', 'e.g. flowers@3 or flowers@production', (text: string) => parseModelReference(text, { versionRequired: true }))
    .argument('<directory>', 'folder that receives the files')
    .option('--json', 'print JSON: the paths of the written files', false)
    .action(async (reference: ModelReference, directory: string, options: { json: boolean }) => {
      const { model } = reference;
      const client = registryClient(parentOptions().registry);
      try {
        const version = await resolveModelVersion(client, reference);
        const response = await client.getVersion({ model, version });
        const bucket = process.env.S3_BUCKET ?? 'inception';
        const store = objectStoreFromEnv(bucket, `s3://${bucket}/models/${model}`, process.env);
        await initBackend({});
        const files = await exportVersion(store, response.version!, directory);
        if (options.json) console.log(JSON.stringify(files, null, 2));
        else console.log(`wrote ${files.modelJsonPath}, ${files.weightsPath} and ${files.labelsPath}`);
      } finally {
        client.close();
      }
    });

  models
    .command('import-tf <prefix>')
    .description('import a TensorFlow Inception v3 checkpoint (V1 file or V2 prefix) as a new model version; writes through S3 (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET)')
    .requiredOption('--model <name>', 'model to add the version to', modelName)
    .addOption(new Option('--format <format>', 'variable names: research (inception-v3-2016-03-01) or slim (InceptionV3/...)').choices(['research', 'slim']).default('research'))
    .option('--use-averages', 'take the ExponentialMovingAverage shadows, as the original evaluation does', false)
    .option('--image-size <pixels>', 'input side the version is used at', positiveInteger, 299)
    .option('--depth-multiplier <factor>', 'depth multiplier of the checkpoint', positiveNumber, 1)
    .option('--min-depth <channels>', 'minimum depth of the checkpoint', positiveInteger, 16)
    .option('--labels-file <file>', 'class names, one per line, for logits 1..N')
    .option('--json', 'print JSON', false)
    .action(async (prefix: string, options: { model: string; format: 'research' | 'slim'; useAverages: boolean; imageSize: number; depthMultiplier: number; minDepth: number; labelsFile?: string; json: boolean }) => {
      const labels = options.labelsFile ? (await readFile(options.labelsFile, 'utf8')).split(/\r?\n/).map((line) => line.trim()).filter(Boolean) : [];
      const bucket = process.env.S3_BUCKET ?? 'inception';
      const store = objectStoreFromEnv(bucket, `s3://${bucket}/imports/${options.model}`, process.env);
      const client = registryClient(parentOptions().registry);
      try {
        await initBackend({});
        const report = await importTensorFlowCheckpoint(prefix, { model: options.model, format: options.format, useAverages: options.useAverages, imageSize: options.imageSize, depthMultiplier: options.depthMultiplier, minDepth: options.minDepth, labels }, store, client);
        if (options.json) console.log(JSON.stringify(report));
        else console.log(`${report.model}@${report.version}: ${report.mapped} variables imported (${report.numClasses} logits${report.auxLogits ? ', aux head' : ''}); ${report.unmapped.length} checkpoint tensors not used, e.g. ${report.unmapped.slice(0, 3).join(', ') || 'none'}`);
      } finally {
        client.close();
      }
    });

  models
    .command('alias')
    .description('point an alias (e.g. production) at a version')
    .argument('<model>', 'model name')
    .argument('<alias>', 'alias name, e.g. production')
    .argument('<version>', 'version number the alias points to', positiveInteger)
    .option('--protect', 'protect the alias: later moves need --force', false)
    .option('--force', 'move a protected alias', false)
    .option('--json', 'print JSON: the alias and the version it pointed to before (0 when new)', false)
    .action(
      withOptionNames(ALIAS_OPTION_FIELDS, async (model: string, alias: string, version: number, options: { protect: boolean; force: boolean; json: boolean }) => {
        const client = registryClient(parentOptions().registry);
        try {
          const response = await client.setAlias({ model, alias, version, protect: options.protect, force: options.force });
          if (options.json) printMessageJson(SetAliasResponseSchema, response);
          else console.log(`${model}@${alias} → ${response.alias?.version}${response.previousVersion ? ` (was ${response.previousVersion})` : ' (new)'}${response.alias?.protected ? ', protected' : ''}`);
        } finally {
          client.close();
        }
      }),
    );
}
