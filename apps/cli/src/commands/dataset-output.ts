import { ImportStage, type DatasetVersion, type ImportProgress, type SkippedFile, type SplitPolicy } from '@inception/proto';
import cliProgress from 'cli-progress';
import { formatTable, tableTime, type TableColumn } from './table.js';

/** Output of import progress: a bar on a terminal, plain lines otherwise, or nothing for --json. */
export interface ImportDisplay {
  update(progress: ImportProgress): void;
  /** Bytes of an upload sent so far, before the service reports progress of its own. */
  sent(bytes: number, totalBytes: number): void;
  stop(): void;
}

const STAGE_NAMES: Record<ImportStage, string> = {
  [ImportStage.UNSPECIFIED]: 'starting',
  [ImportStage.RECEIVING]: 'receiving',
  [ImportStage.UNPACKING]: 'unpacking',
  [ImportStage.SCANNING]: 'scanning',
  [ImportStage.PROCESSING]: 'processing',
  [ImportStage.PUBLISHING]: 'publishing',
  [ImportStage.SUCCEEDED]: 'succeeded',
  [ImportStage.FAILED]: 'failed',
};

function mebibytes(bytes: number | bigint): string {
  return `${(Number(bytes) / 1024 / 1024).toFixed(1)} MiB`;
}

export const silentDisplay: ImportDisplay = { update() {}, sent() {}, stop() {} };

/** Creates a cli-progress bar that counts KiB while an upload is sent, then files processed with their outcomes. */
export function importProgressBar(stream: NodeJS.WritableStream): ImportDisplay {
  // Only terminal streams are passed in production; noTTYOutput lets a test draw into a pipe.
  const bar = new cliProgress.SingleBar(
    { format: '{stage} {bar} {value}/{total} {unit} | {kept} kept, {converted} converted, {skipped} skipped', stream, hideCursor: true, noTTYOutput: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const show = (value: number, total: number, payload: Record<string, string | number>) => {
    if (!started) {
      bar.start(total, value, payload);
      started = true;
    } else {
      bar.setTotal(total);
      bar.update(value, payload);
    }
  };
  return {
    sent(bytes, totalBytes) {
      show(Math.round(bytes / 1024), Math.round(totalBytes / 1024), { stage: 'uploading', unit: 'KiB', kept: 0, converted: 0, skipped: 0 });
    },
    update(progress) {
      if (progress.stage === ImportStage.RECEIVING) return;
      show(progress.filesDone, Math.max(progress.filesTotal, progress.filesDone), {
        stage: STAGE_NAMES[progress.stage],
        unit: 'files',
        kept: progress.imagesKept,
        converted: progress.imagesConverted,
        skipped: progress.filesSkipped,
      });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Creates plain progress lines for logs and pipes: one per stage change and one per tenth of the files. */
export function importProgressLines(print: (line: string) => void): ImportDisplay {
  let stage: ImportStage | undefined;
  let lastTenth = -1;
  let lastSentTenth = -1;
  return {
    sent(bytes, totalBytes) {
      const tenth = Math.floor((10 * bytes) / Math.max(1, totalBytes));
      if (tenth !== lastSentTenth) {
        lastSentTenth = tenth;
        print(`uploading: ${mebibytes(bytes)} of ${mebibytes(totalBytes)} sent`);
      }
    },
    update(progress) {
      if (progress.stage !== stage) {
        stage = progress.stage;
        if (stage !== ImportStage.SUCCEEDED && stage !== ImportStage.FAILED) print(`${STAGE_NAMES[stage]}${progress.filesTotal ? `: ${progress.filesTotal} files` : ''}`);
      }
      if (progress.stage !== ImportStage.PROCESSING || progress.filesTotal === 0) return;
      const tenth = Math.floor((10 * progress.filesDone) / progress.filesTotal);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        print(`processed ${progress.filesDone}/${progress.filesTotal} files: ${progress.imagesKept} kept (${progress.imagesConverted} converted), ${progress.filesSkipped} skipped`);
      }
    },
    stop() {},
  };
}

function describeSplit(split: SplitPolicy | undefined): string {
  if (!split) return 'separate train and validation roots';
  const seed = split.seed ?? 12345n;
  if (split.validation.case === 'validationFraction') return `${split.validation.value} of each class for validation, seed ${seed}`;
  return `${split.validation.value ?? 0} validation images per class, seed ${seed}`;
}

function reasons(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b, 'en'));
  if (entries.length === 0) return '';
  return ` (${entries.map(([reason, count]) => `${reason} ${count}`).join(', ')})`;
}

const CLASS_COLUMNS: TableColumn[] = [
  { header: 'label', align: 'right' },
  { header: 'class' },
  { header: 'train', align: 'right' },
  { header: 'validation', align: 'right' },
  { header: 'converted', align: 'right' },
  { header: 'skipped' },
];

/** Formats a dataset version as lines: totals, then one row per class, then source and manifest. */
export function datasetSummaryLines(dataset: DatasetVersion, created?: boolean): string[] {
  let state = '';
  if (created === true) state = ' (created)';
  if (created === false) state = ' (existing: identical content was imported before)';
  const lines = [
    `dataset ${dataset.ref?.name} v${dataset.ref?.version}${state}: ${dataset.trainImages} train and ${dataset.validationImages} validation images in ${dataset.labels.length} classes, ${dataset.convertedImages} converted to RGB JPEG, ${dataset.skippedImages} ${dataset.skippedImages === 1 ? 'file' : 'files'} skipped${reasons(dataset.skippedByReason)}`,
  ];

  const classRows = dataset.classes.map((entry) => [
    String(entry.label),
    entry.className,
    String(entry.trainImages),
    String(entry.validationImages),
    String(entry.convertedImages),
    `${entry.skippedFiles}${reasons(entry.skippedByReason)}`,
  ]);
  for (const line of formatTable(CLASS_COLUMNS, classRows)) lines.push(`  ${line}`);
  lines.push(`  label 0 is the unused background class, so training uses ${dataset.labels.length + 1} logits`);
  lines.push(`source: ${dataset.source || '(not recorded)'}; split: ${describeSplit(dataset.split)}`);
  lines.push(`manifest: ${dataset.manifest?.key} (${dataset.manifest?.sizeBytes} bytes, sha256 ${dataset.manifest?.sha256})`);
  if (dataset.skippedImages > 0) {
    lines.push(`the skipped files with their reasons: inception dataset show ${dataset.ref?.name}@${dataset.ref?.version} --skipped`);
  }
  return lines;
}

/** Formats one line per skipped file: split, path, reason and detail, separated by tabs. */
export function skippedFileLines(skipped: SkippedFile[]): string[] {
  return skipped.map((entry) => `  ${entry.split}\t${entry.sourcePath}\t${entry.reason}\t${entry.detail}`);
}

const DATASET_LIST_COLUMNS: TableColumn[] = [
  { header: 'dataset' },
  { header: 'created' },
  { header: 'classes', align: 'right' },
  { header: 'train', align: 'right' },
  { header: 'validation', align: 'right' },
  { header: 'converted', align: 'right' },
  { header: 'skipped', align: 'right' },
  { header: 'source' },
];

/** Formats dataset versions as the table of `dataset list`: a header row, then one row per version. */
export function datasetListLines(datasets: readonly DatasetVersion[]): string[] {
  const rows = datasets.map((dataset) => [
    `${dataset.ref?.name}@${dataset.ref?.version}`,
    dataset.createdAt ? tableTime(new Date(Number(dataset.createdAt.seconds) * 1000)) : '',
    String(dataset.labels.length),
    String(dataset.trainImages),
    String(dataset.validationImages),
    String(dataset.convertedImages),
    String(dataset.skippedImages),
    dataset.source,
  ]);
  return formatTable(DATASET_LIST_COLUMNS, rows);
}
