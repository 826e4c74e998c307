import { mkdir, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { ObjectStore } from '@inception/storage';
import { makeTempDir, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { parseImageExample, parseRecordIndex, planShards, pythonShuffle, readTFRecordFile, readTFRecords, type ImageExample } from '@inception/tfrecord';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildImageTree, sha256Hex, type ImageTree, type TreeFile } from '../build-image-data/test-support/image-tree.js';
import { runCli, type CliRun } from '../build-image-data/test-support/run-cli.js';

const TRAIN_SHARDS = 4;
const VALIDATION_SHARDS = 2;
const NUM_THREADS = 2;
const TIMESTAMP = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?`;

interface ReadRecord {
  index: number;
  offset: number;
  length: number;
  example: ImageExample;
}

let root: string;
let removeRoot: () => Promise<void>;
let tree: ImageTree;

beforeAll(async () => {
  ({ dir: root, remove: removeRoot } = await makeTempDir('inception-build-image-data-'));
  tree = await buildImageTree(path.join(root, 'images'));
});

afterAll(async () => {
  await removeRoot();
});

const commandLine = (output: string, overrides: Record<string, string> = {}): string[] => [
  'build-image-data',
  ...Object.entries({
    '--train_directory': tree.trainDirectory,
    '--validation-directory': tree.validationDirectory,
    '--output_directory': output,
    '--labels_file': tree.labelsFile,
    '--train_shards': String(TRAIN_SHARDS),
    '--num-threads': String(NUM_THREADS),
    ...overrides,
  }).flatMap(([flag, value]) => [flag, value]),
];

/** Expected shard contents: TensorFlow's file order, shuffle and split, without the files to be skipped. */
function expectedShards(split: TreeFile['split'], numShards: number): Map<string, TreeFile[]> {
  const unshuffled = tree.classNames.flatMap((className) =>
    tree.files.filter((file) => file.split === split && file.className === className).sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name))),
  );
  const order = pythonShuffle(
    unshuffled.map((_, i) => i),
    12345,
  );
  const shuffled = order.map((i) => unshuffled[i]);
  const shards = new Map<string, TreeFile[]>();
  for (const range of planShards(shuffled.length, numShards, NUM_THREADS)) {
    const name = `${split}-${String(range.shardIndex).padStart(5, '0')}-of-${String(numShards).padStart(5, '0')}`;
    shards.set(name, shuffled.slice(range.start, range.end).filter((file) => file.expected !== undefined));
  }
  return shards;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function readShard(filePath: string): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  for await (const record of readTFRecordFile(filePath)) {
    records.push({ index: record.index, offset: record.offset, length: record.data.length, example: parseImageExample(record.data) });
  }
  return records;
}

describe('build-image-data to a folder', () => {
  let output: string;
  let run: CliRun;
  let shards: Map<string, ReadRecord[]>;
  const expected = (): Map<string, TreeFile[]> => new Map([...expectedShards('validation', VALIDATION_SHARDS), ...expectedShards('train', TRAIN_SHARDS)]);

  beforeAll(async () => {
    output = path.join(root, 'out');
    run = await runCli(commandLine(output));
    shards = new Map();
    for (const name of expected().keys()) {
      shards.set(name, await readShard(path.join(output, name)));
    }
  });

  it('exits with status 0', () => {
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });

  it('writes the TensorFlow shard names', async () => {
    const names = (await readdir(output)).sort();
    expect(names).toEqual(['index', ...[...expected().keys()].sort()]);
  });

  it('writes an index per shard', async () => {
    expect((await readdir(path.join(output, 'index'))).sort()).toEqual([...expected().keys()].map((name) => `${name}.index`).sort());
    for (const [name, records] of shards) {
      const locations = parseRecordIndex(await readFile(path.join(output, 'index', `${name}.index`), 'utf8'));
      expect(locations, name).toEqual(records.map((record) => ({ offset: record.offset, sizeBytes: 16 + record.length })));
    }
  });

  it('puts the planned files in each shard', () => {
    for (const [name, files] of expected()) {
      expect(shards.get(name)?.map((record) => record.example.filename), name).toEqual(files.map((file) => file.name));
    }
  });

  it('stores labels, texts and sizes', () => {
    for (const [name, files] of expected()) {
      shards.get(name)?.forEach((record, i) => {
        const file = files[i];
        const label = `${name} record ${i} (${file.name})`;
        expect(record.example.label, label).toBe(tree.classNames.indexOf(file.className) + 1);
        expect(record.example.text, label).toBe(file.className);
        expect(record.example.width, label).toBe(file.expected?.width);
        expect(record.example.height, label).toBe(file.expected?.height);
        expect([record.example.colorspace, record.example.channels, record.example.format], label).toEqual(['RGB', 3, 'JPEG']);
      });
    }
  });

  it('keeps RGB JPEG bytes unchanged', () => {
    for (const [name, files] of expected()) {
      shards.get(name)?.forEach((record, i) => {
        if (files[i].expected?.keptSha256 !== undefined) {
          expect(sha256Hex(record.example.encoded), `${name} ${files[i].name}`).toBe(files[i].expected?.keptSha256);
        }
      });
    }
  });

  it('converts other images to RGB JPEG', async () => {
    let converted = 0;
    for (const [name, files] of expected()) {
      for (const [i, record] of (shards.get(name) ?? []).entries()) {
        if (files[i].expected?.convertedFrom === undefined) continue;
        const metadata = await sharp(record.example.encoded).metadata();
        expect(sha256Hex(record.example.encoded), `${name} ${files[i].name}`).not.toBe(sha256Hex(await readFile(files[i].path)));
        expect(metadata.format, `${name} ${files[i].name}`).toBe('jpeg');
        expect(metadata.channels, `${name} ${files[i].name}`).toBe(3);
        expect(metadata.space, `${name} ${files[i].name}`).toBe('srgb');
        converted += 1;
      }
    }
    expect(converted).toBe(4);
  });

  it('prints the original console lines', () => {
    const lines = run.stdout.trimEnd().split('\n');
    const validation = tree.validationDirectory;
    expect(lines.slice(0, 4)).toEqual([
      `Saving results to ${output}`,
      `Determining list of input files and labels from ${validation}.`,
      `Found 4 JPEG files across 3 labels inside ${validation}.`,
      'Launching 2 threads for spacings: [[0, 2], [2, 4]]',
    ]);
    expect(lines).toContain(`Found 9 JPEG files across 3 labels inside ${tree.trainDirectory}.`);
    expect(lines).toContain('Launching 2 threads for spacings: [[0, 4], [4, 9]]');
    for (const [name, records] of shards) {
      expect(run.stdout).toMatch(new RegExp(`^${TIMESTAMP} \\[thread [01]\\]: Wrote ${records.length} images to ${escapeRegExp(path.join(output, name))}$`, 'm'));
    }
    expect(lines.filter((line) => /: Finished writing all/.test(line))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(new RegExp(`^${TIMESTAMP}: Finished writing all 7 images in data set\\.$`));
  });

  it('lists skipped files before the end', () => {
    const lines = run.stdout.trimEnd().split('\n');
    const portrait = path.join(tree.trainDirectory, 'portrait');
    expect(lines.slice(-3, -1)).toEqual([
      `SKIPPED: invalid image ${path.join(portrait, 'corrupt.jpg')}: corrupt, JPEG decoding failed: VipsJpeg: Corrupt JPEG data: bad Huffman code`,
      `SKIPPED: invalid image ${path.join(portrait, 'empty.jpg')}: empty, input has 0 bytes`,
    ]);
  });

  it('reports each conversion', () => {
    expect(run.stdout).toContain(`Converting PNG to JPEG for ${path.join(tree.trainDirectory, 'daisy', 'small-as.png')}`);
    expect(run.stdout).toContain(`Converting grayscale to RGB for ${path.join(tree.trainDirectory, 'portrait', 'hopper-gray.jpg')}`);
    expect(run.stdout).toContain(`Converting CMYK to RGB for ${path.join(tree.validationDirectory, 'merge', 'jpeg_merge_test1_cmyk.jpg')}`);
  });
});

describe('build-image-data with many conversions', () => {
  const GRAY_TRAIN_IMAGES = 7;
  let images: string;
  let run: CliRun;

  beforeAll(async () => {
    images = path.join(root, 'many-gray');
    const grayJpeg = await sharp({ create: { width: 16, height: 12, channels: 3, background: { r: 90, g: 90, b: 90 } } }).toColourspace('b-w').jpeg().toBuffer();
    for (const [split, count] of [['train', GRAY_TRAIN_IMAGES], ['validation', 1]] as const) {
      await mkdir(path.join(images, split, 'gray'), { recursive: true });
      for (let i = 0; i < count; i++) await writeFile(path.join(images, split, 'gray', `gray-${i}.jpg`), grayJpeg);
    }
    await writeFile(path.join(images, 'labels.txt'), 'gray\n');

    run = await runCli([
      'build-image-data',
      ...['--train_directory', path.join(images, 'train'), '--validation_directory', path.join(images, 'validation')],
      ...['--output_directory', path.join(root, 'out-many-gray'), '--labels_file', path.join(images, 'labels.txt')],
      ...['--train_shards', '1', '--validation_shards', '1', '--num_threads', '1'],
    ]);
  });

  it('lists five files of a kind, then counts', () => {
    const lines = run.stdout.trimEnd().split('\n');
    const trainStart = lines.indexOf(`Determining list of input files and labels from ${path.join(images, 'train')}.`);
    const train = lines.slice(trainStart);

    expect(run.exitCode).toBe(0);
    expect(trainStart).toBeGreaterThan(0);
    expect(train.filter((line) => line.startsWith('Converting grayscale to RGB for ') && line.endsWith('.jpg'))).toHaveLength(5);
    expect(train).toContain('Converting grayscale to RGB for more files: these are counted at the end of the split, not listed');
    expect(train.at(-2)).toBe(`Converted grayscale to RGB: ${GRAY_TRAIN_IMAGES} images in total, 2 of them not listed above`);
  });

  it('prints no count when every file was listed', () => {
    const lines = run.stdout.trimEnd().split('\n');
    const validation = lines.slice(0, lines.findIndex((line) => line.includes('Finished writing all')) + 1);

    expect(validation.filter((line) => line.startsWith('Converting grayscale to RGB for '))).toHaveLength(1);
    expect(validation.some((line) => line.startsWith('Converted '))).toBe(false);
  });
});

describe('build-image-data input checks', () => {
  async function expectNoShards(output: string): Promise<void> {
    const names = await readdir(output).catch(() => [] as string[]);
    expect(names.filter((name) => /^(train|validation)-/.test(name))).toEqual([]);
  }

  it('rejects a class without folder', async () => {
    const labelsFile = path.join(root, 'labels-tulips.txt');
    await writeFile(labelsFile, 'daisy\ntulips\nportrait\nmerge\n');
    const output = path.join(root, 'out-tulips');

    const run = await runCli(commandLine(output, { '--labels_file': labelsFile }));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`labels file ${labelsFile} line 2: class "tulips" has no folder ${path.join(tree.validationDirectory, 'tulips')}`);
    await expectNoShards(output);
  });

  it('rejects a folder without class', async () => {
    const labelsFile = path.join(root, 'labels-two.txt');
    await writeFile(labelsFile, 'daisy\nportrait\n');
    const output = path.join(root, 'out-two');

    const run = await runCli(commandLine(output, { '--labels_file': labelsFile }));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`folder ${path.join(tree.validationDirectory, 'merge')} has no line in labels file ${labelsFile}`);
    await expectNoShards(output);
  });

  it('rejects indivisible shard counts', async () => {
    const output = path.join(root, 'out-indivisible');
    const run = await runCli(commandLine(output, { '--train_shards': '3' }));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('--train_shards 3 is not divisible by --num_threads 2');
    await expectNoShards(output);
  });

  it('rejects conflicting flag spellings', async () => {
    const output = path.join(root, 'out-conflict');
    const run = await runCli([...commandLine(output), '--train-shards', '6']);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('--train_shards 4 and --train-shards 6 disagree');
    await expectNoShards(output);
  });

  it('warns when both directories are one folder', async () => {
    const output = path.join(root, 'same-directories');
    const run = await runCli(commandLine(output, { '--validation-directory': `${tree.trainDirectory}/` }));

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe(`warning: the train and validation roots are both ${await realpath(tree.trainDirectory)}, so the validation images are the training images and evaluation will overstate accuracy\n`);
  });

  it('rejects a split without files', async () => {
    const emptyRoot = path.join(root, 'empty-validation');
    for (const className of tree.classNames) {
      await mkdir(path.join(emptyRoot, className), { recursive: true });
    }
    const output = path.join(root, 'out-empty');

    const run = await runCli(commandLine(output, { '--validation-directory': emptyRoot }));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`--validation_directory ${emptyRoot}: the 3 class folders contain no files`);
    await expectNoShards(output);
  });
});

describe('build-image-data to s3', () => {
  let objects: TestObjectStore;
  let run: CliRun;

  beforeAll(async () => {
    objects = await startTestObjectStore('shards-bucket');
    const env = { S3_ENDPOINT: objects.s3.endpoint, S3_ACCESS_KEY: objects.s3.accessKey, S3_SECRET_KEY: objects.s3.secretKey };
    run = await runCli(commandLine('s3://shards-bucket/flowers/v1'), env);
  });

  afterAll(async () => {
    await objects.stop();
  });

  it('writes shards and indexes', async () => {
    const keys: string[] = [];
    for await (const object of objects.store.list('')) keys.push(object.key);
    const names = [...expectedShards('validation', VALIDATION_SHARDS).keys(), ...expectedShards('train', TRAIN_SHARDS).keys()].sort();

    expect(run.exitCode).toBe(0);
    expect(keys.sort()).toEqual([...names.map((name) => `flowers/v1/${name}`), ...names.map((name) => `flowers/v1/index/${name}.index`)].sort());
    expect(run.stdout).toContain('images to s3://shards-bucket/flowers/v1/train-00003-of-00004');
  });

  it('prints no notice for an existing bucket', () => {
    expect(run.stderr).not.toContain('created bucket');
  });

  it('says that it created a missing bucket', async () => {
    const env = { S3_ENDPOINT: objects.s3.endpoint, S3_ACCESS_KEY: objects.s3.accessKey, S3_SECRET_KEY: objects.s3.secretKey };
    const created = await runCli(commandLine('s3://created-bucket/flowers'), env);
    const store = new ObjectStore({ endpoint: objects.s3.endpoint, accessKey: objects.s3.accessKey, secretKey: objects.s3.secretKey, bucket: 'created-bucket' });
    const keys: string[] = [];
    for await (const object of store.list('flowers/')) keys.push(object.key);

    expect(created.exitCode).toBe(0);
    expect(created.stderr).toBe(`created bucket "created-bucket" at ${objects.s3.endpoint}, as it did not exist\n`);
    expect(created.stdout.split('\n')[0]).toBe('Saving results to s3://created-bucket/flowers');
    expect(keys).toContain('flowers/train-00000-of-00004');
  });

  it('writes the same bytes as a folder', async () => {
    const folderOutput = path.join(root, 'out');
    for (const name of expectedShards('train', TRAIN_SHARDS).keys()) {
      const uploaded = await objects.store.getBytes(`flowers/v1/${name}`);
      expect(sha256Hex(uploaded), name).toBe(sha256Hex(await readFile(path.join(folderOutput, name))));
    }
  });

  it('reads back with the reader', async () => {
    let records = 0;
    for await (const record of readTFRecords(await objects.store.getStream('flowers/v1/validation-00001-of-00002'), { fileName: 'validation-00001' })) {
      records += parseImageExample(record.data).label > 0 ? 1 : 0;
    }
    expect(records).toBe(expectedShards('validation', VALIDATION_SHARDS).get('validation-00001-of-00002')?.length);
  });
});
