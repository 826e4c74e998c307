import { InvalidArgumentError, Option, type Command } from 'commander';

import { CONVERTING_LINES_PER_KIND } from '../build-image-data/conversion-log.js';
import type { BuildImageDataOptions } from '../build-image-data/run.js';
import { positiveInteger } from './option-parsers.js';

/** A flag of `build_image_data.py`: its name with underscores, its kebab-case twin, help and default. */
interface FlagSpec {
  key: keyof BuildImageDataOptions;
  flag: string;
  valueName: string;
  description: string;
  defaultValue?: number;
}

const FLAGS: FlagSpec[] = [
  { key: 'trainDirectory', flag: 'train_directory', valueName: 'dir', description: 'folder of training class folders, <dir>/<class>/<image>' },
  { key: 'validationDirectory', flag: 'validation_directory', valueName: 'dir', description: 'folder of validation class folders, <dir>/<class>/<image>' },
  { key: 'outputDirectory', flag: 'output_directory', valueName: 'dir', description: 'folder (created when missing) or s3://bucket/prefix that receives the shards' },
  { key: 'labelsFile', flag: 'labels_file', valueName: 'file', description: 'one class folder name per line. Line k gets label k, and 0 is left for the background class' },
  { key: 'trainShards', flag: 'train_shards', valueName: 'n', description: 'number of training shards', defaultValue: 2 },
  { key: 'validationShards', flag: 'validation_shards', valueName: 'n', description: 'number of validation shards', defaultValue: 2 },
  { key: 'numThreads', flag: 'num_threads', valueName: 'n', description: 'writers, and images decoded at once. Must divide both shard counts', defaultValue: 2 },
];

const HELP_AFTER = `
Writes <output>/validation-00000-of-0000N … then <output>/train-… shards of tf.train.Example records with
the keys, labels (1..N in labels-file order), shard names and split of files into shards of TensorFlow's
research/inception build_image_data.py, and a record index per shard at <output>/index/<shard>.index.
Each shard is written under a temporary name and renamed (for s3://, copied) when complete. s3:// output
reads S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY from the environment, and creates a missing bucket
with a line on standard error that says so.

Differences from build_image_data.py:
  - Image handling is this project's own: the type comes from the file's bytes, not its name, and every
    image that is not a 3-channel JPEG (PNG, GIF, BMP, WebP, TIFF, grayscale or CMYK JPEG) is stored
    re-encoded as an RGB JPEG at quality 100. TensorFlow converts only files named *.png and keeps the
    bytes of grayscale JPEGs. RGB JPEGs are stored byte for byte in both.
  - Each split lists the first ${CONVERTING_LINES_PER_KIND} files of each kind of conversion ("Converting grayscale to RGB for …")
    and counts the rest in a "Converted …" line before the split's last line.
  - Files that are not usable images are skipped and listed as SKIPPED lines before the last line, whose
    count is of images written.
  - A labels-file line with no class folder, a class folder missing from the labels file, or a split with
    no files fails before any shard is written. Blank lines in the labels file are ignored.
  - Files in a class folder are taken in order of their names before the seeded shuffle.
Flags are accepted with underscores, as in the original, and in kebab-case (--train-directory).`;

const camelCase = (flag: string): string => flag.replace(/[_-]([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Adds `inception build-image-data` to `program`. */
export function registerBuildImageDataCommand(program: Command): void {
  const command = program
    .command('build-image-data')
    .description("convert class folders of images into TFRecord shards, with the flags and output of TensorFlow's build_image_data.py")
    .addHelpText('after', HELP_AFTER);

  for (const spec of FLAGS) {
    const defaultText = spec.defaultValue === undefined ? ' (required)' : ` (default: ${spec.defaultValue})`;
    const underscored = new Option(`--${spec.flag} <${spec.valueName}>`, `${spec.description}${defaultText}`);
    const kebab = new Option(`--${spec.flag.replaceAll('_', '-')} <${spec.valueName}>`).hideHelp();
    if (spec.defaultValue !== undefined) {
      underscored.argParser(positiveInteger);
      kebab.argParser(positiveInteger);
    }
    command.addOption(underscored).addOption(kebab);
  }

  command.action(async (raw: Record<string, string | number | undefined>) => {
    const options = mergeFlags(raw);
    const { runBuildImageData } = await import('../build-image-data/run.js');
    // Notices go to standard error, so standard output keeps build_image_data.py's lines.
    await runBuildImageData(options, (line) => console.log(line), process.env, (line) => console.error(line));
  });
}

// commander stores `--train_directory` as `train_directory` and `--train-directory` as
// `trainDirectory`, so each pair is merged here, with the defaults applied after the merge.
function mergeFlags(raw: Record<string, string | number | undefined>): BuildImageDataOptions {
  const merged: Record<string, string | number> = {};
  for (const spec of FLAGS) {
    const underscored = raw[spec.flag];
    const kebab = raw[camelCase(spec.flag)];
    if (underscored !== undefined && kebab !== undefined && underscored !== kebab) {
      throw new InvalidArgumentError(
        `--${spec.flag} ${underscored} and --${spec.flag.replaceAll('_', '-')} ${kebab} disagree. Give the flag once`,
      );
    }
    const value = underscored ?? kebab ?? spec.defaultValue;
    if (value === undefined) {
      throw new InvalidArgumentError(`missing --${spec.flag} <${spec.valueName}> (or --${spec.flag.replaceAll('_', '-')})`);
    }
    merged[spec.key] = value;
  }
  return merged as unknown as BuildImageDataOptions;
}
