import { compareUtf8, findImageFiles, type SplitFiles } from './find-files.js';
import {
  determiningLine,
  findingProgressLine,
  finishedLine,
  foundLine,
  launchingLine,
  nowMicroseconds,
  pythonTimestamp,
  savingLine,
  skippedLine,
} from './console-lines.js';
import { sameRootsWarning } from '../same-location.js';
import { BuildImageDataError } from './errors.js';
import { readLabelsFile, type LabelEntry } from './labels.js';
import { planSplit, type SplitName } from './plan.js';
import { openShardTarget } from './shard-target.js';
import { writeSplit, type SkippedFile } from './write-split.js';

/** Inputs of `inception build-image-data`, named after the flags of `build_image_data.py`. */
export interface BuildImageDataOptions {
  trainDirectory: string;
  validationDirectory: string;
  /** A folder, created when missing, or `s3://bucket/prefix`. */
  outputDirectory: string;
  labelsFile: string;
  trainShards: number;
  validationShards: number;
  numThreads: number;
}

/** Counts of one split. */
export interface SplitSummary {
  split: SplitName;
  found: number;
  written: number;
  skipped: SkippedFile[];
}

/** Classes between two "Finished finding files" lines, as in `build_image_data.py`. */
const FINDING_PROGRESS_EVERY_CLASSES = 100;

/**
 * Converts two folders of class sub-folders into TFRecord shards of `tf.train.Example` the way
 * `build_image_data.py` does, validation first, printing its console lines through `print`. Every
 * check of the flags, the labels file and the folders runs before the first shard is written.
 * Lines the original does not print, such as a bucket it created or a warning that both
 * directories are the same, go to `notice`.
 */
export async function runBuildImageData(
  options: BuildImageDataOptions,
  print: (line: string) => void,
  env: NodeJS.ProcessEnv,
  notice: (line: string) => void = print,
): Promise<SplitSummary[]> {
  checkShardCounts(options);
  const sameRoots = await sameRootsWarning(options.trainDirectory, options.validationDirectory);
  if (sameRoots) notice(sameRoots);
  const labels = await readLabelsFile(options.labelsFile);
  const splits: { split: SplitName; numShards: number; found: SplitFiles }[] = [
    {
      split: 'validation',
      numShards: options.validationShards,
      found: await findNonEmpty(options.validationDirectory, '--validation_directory', labels, options.labelsFile),
    },
    {
      split: 'train',
      numShards: options.trainShards,
      found: await findNonEmpty(options.trainDirectory, '--train_directory', labels, options.labelsFile),
    },
  ];
  const target = openShardTarget(options.outputDirectory, env);
  const { createdBucket } = await target.prepare();
  if (createdBucket) notice(`created bucket "${createdBucket.bucket}" at ${createdBucket.endpoint}, as it did not exist`);

  print(savingLine(options.outputDirectory));
  const summaries: SplitSummary[] = [];
  for (const { split, numShards, found } of splits) {
    print(determiningLine(found.directory));
    for (let classesDone = FINDING_PROGRESS_EVERY_CLASSES; classesDone <= labels.length; classesDone += FINDING_PROGRESS_EVERY_CLASSES) {
      print(findingProgressLine(classesDone, labels.length));
    }
    print(foundLine(found.files.length, labels.length, found.directory));

    const plan = planSplit(split, found.files, numShards, options.numThreads);
    print(launchingLine(options.numThreads, plan.threadRanges));
    const result = await writeSplit(plan, target, print);

    for (const line of result.conversionSummary) {
      print(line);
    }
    const skipped = [...result.skipped].sort((a, b) => compareUtf8(a.path, b.path));
    for (const file of skipped) {
      print(skippedLine(file.path, file.reason, file.detail));
    }
    print(finishedLine(pythonTimestamp(nowMicroseconds()), result.written));
    summaries.push({ split, found: found.files.length, written: result.written, skipped });
  }

  const unusable = summaries.filter((summary) => summary.written === 0);
  if (unusable.length > 0) {
    const names = unusable.map((summary) => `${summary.split} (${summary.found} files, all skipped)`).join(' and ');
    throw new BuildImageDataError(`no image could be used in ${names}, so its shards are empty. The SKIPPED lines give the reasons`);
  }
  return summaries;
}

function checkShardCounts(options: BuildImageDataOptions): void {
  for (const [flag, numShards] of [
    ['--train_shards', options.trainShards],
    ['--validation_shards', options.validationShards],
  ] as const) {
    if (numShards % options.numThreads !== 0) {
      throw new BuildImageDataError(
        `${flag} ${numShards} is not divisible by --num_threads ${options.numThreads}. ` +
          'Each thread writes the same number of shards, so choose a thread count that divides both shard counts',
      );
    }
  }
}

async function findNonEmpty(directory: string, flag: string, labels: LabelEntry[], labelsFile: string): Promise<SplitFiles> {
  const found = await findImageFiles(directory, flag, labels, labelsFile);
  if (found.files.length === 0) {
    throw new BuildImageDataError(
      `${flag} ${directory}: the ${labels.length} class folders contain no files. Put images in ${directory}/<class>/`,
    );
  }
  return found;
}
