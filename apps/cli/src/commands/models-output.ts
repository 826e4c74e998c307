import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { Alias, Model, ModelVersion } from '@inception/proto';
import { formatTable, tableTime, type TableColumn } from './table.js';
import { treeLines, type TreeNode } from './tree.js';

function isoTime(time: Timestamp | undefined): string {
  return time ? tableTime(timestampDate(time)) : '';
}

const VERSION_COLUMNS: TableColumn[] = [
  { header: 'version', align: 'right' },
  { header: 'created' },
  { header: 'dataset' },
  { header: 'steps', align: 'right' },
  { header: 'precision@1', align: 'right' },
  { header: 'aliases' },
];

/**
 * Formats a model for `models show <model>`: its name and creation time, then one row per
 * version with its dataset, steps, precision @ 1 and the aliases that point to it.
 */
export function modelOverviewLines(model: Model, aliases: readonly Alias[], versions: readonly ModelVersion[]): string[] {
  const lines = [`model ${model.name}${model.createdAt ? `  (created ${isoTime(model.createdAt)})` : ''}`];
  if (model.description) lines.push(`  ${model.description}`);
  if (versions.length === 0) {
    lines.push('no versions yet');
    return lines;
  }

  const rows = versions.map((version) => {
    const lineage = version.lineage;
    const pointing = aliases.filter((alias) => alias.version === version.version).map((alias) => `${alias.name}${alias.protected ? ' (protected)' : ''}`);
    return [
      String(version.version),
      isoTime(version.createdAt),
      lineage?.dataset ? `${lineage.dataset.name}@${lineage.dataset.version}` : '',
      lineage?.steps ? String(lineage.steps) : '',
      lineage?.metrics ? lineage.metrics.precisionAt1.toFixed(4) : '',
      pointing.join(', '),
    ];
  });
  lines.push(...formatTable(VERSION_COLUMNS, rows));
  lines.push(`the lineage of one version: inception models show ${model.name}@<version or alias>`);
  return lines;
}

/**
 * Renders a version for `models show <model>@<version>`: the version and its creation time, then
 * its lineage (dataset, training job, classes, evaluation, hyper-parameters) and files as a tree.
 */
export function lineageTree(version: ModelVersion): string {
  const lineage = version.lineage;
  const nodes: TreeNode[] = [];
  if (lineage) {
    nodes.push({ text: `dataset: ${lineage.dataset?.name} v${lineage.dataset?.version}`, children: [{ text: `shard set: ${lineage.shardSetId}` }] });

    const jobDetails: TreeNode[] = [];
    if (lineage.baseModelVersion) jobDetails.push({ text: `fine-tuned from: ${lineage.baseModelVersion}` });
    if (lineage.checkpointPrefix) jobDetails.push({ text: `checkpoint: ${lineage.checkpointPrefix}` });
    nodes.push({ text: `training job: ${lineage.jobId} on ${lineage.backend || 'unknown backend'}, ${lineage.steps} steps`, children: jobDetails });

    nodes.push({ text: `classes: ${lineage.labels.length} (${lineage.numClasses} logits): ${lineage.labels.slice(0, 10).join(', ')}${lineage.labels.length > 10 ? ', …' : ''}` });
    if (lineage.metrics) nodes.push({ text: `evaluation: precision @ 1 = ${lineage.metrics.precisionAt1.toFixed(4)}, recall @ 5 = ${lineage.metrics.recallAt5.toFixed(4)} [${lineage.metrics.examples} examples]` });
    const parameters = Object.entries(lineage.hyperParameters).sort(([a], [b]) => a.localeCompare(b));
    nodes.push({ text: 'hyper-parameters', children: parameters.map(([name, value]) => ({ text: `${name} = ${value}` })) });
  }
  nodes.push({ text: 'files', children: version.files.map((file) => ({ text: `${file.key}  ${file.sizeBytes} bytes  sha256 ${file.sha256.slice(0, 16)}…` })) });

  const header = `${version.model}@${version.version}${version.createdAt ? `  (created ${isoTime(version.createdAt)})` : ''}`;
  return [header, ...treeLines(nodes)].join('\n');
}
