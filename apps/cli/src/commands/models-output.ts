import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { Alias, Model, ModelVersion } from '@inception/proto';
import { formatTable, type TableColumn } from './table.js';

function isoTime(time: Timestamp | undefined): string {
  return time ? timestampDate(time).toISOString() : '';
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
