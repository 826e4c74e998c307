import { execFile } from 'node:child_process';
import { realpath, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { copySampleClasses, SAMPLE_CLASSES, startIngestionHarness, type IngestionHarness } from '@inception/ingestion/testing';
import { makeTempDir, repoRoot } from '@inception/testing';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../build-image-data/test-support/run-cli.js';
import { runDatasetImport, runDatasetList, runDatasetShow, type DatasetImportOptions } from './dataset.js';

const PER_CLASS = 5;

let temp: { dir: string; remove: () => Promise<void> };
let harness: IngestionHarness;
let root: string;
let archive: string;

function importOptions(overrides: Partial<DatasetImportOptions>): DatasetImportOptions {
  return { name: 'cli', sources: [root], validationPerClass: 1, upload: false, json: false, ingestion: harness.server.address, ...overrides };
}

async function capture<T>(run: (terminal: { print: (line: string) => void; barStream?: NodeJS.WritableStream }) => Promise<T>, barStream?: NodeJS.WritableStream): Promise<{ lines: string[]; result: T }> {
  const lines: string[] = [];
  const result = await run({ print: (line) => lines.push(line), barStream });
  return { lines, result };
}

beforeAll(async () => {
  temp = await makeTempDir('inception-cli-dataset-');
  root = path.join(temp.dir, 'clothes');
  await copySampleClasses(root, PER_CLASS);
  archive = path.join(temp.dir, 'clothes.tgz');
  await createTar({ gzip: true, file: archive, cwd: temp.dir, portable: true }, ['clothes']);
  harness = await startIngestionHarness();
});

afterAll(async () => {
  await harness?.stop();
  await temp?.remove();
});

describe('inception dataset import', () => {
  it('prints progress lines and a class summary', async () => {
    const { lines, result } = await capture((terminal) => runDatasetImport(importOptions({}), terminal));
    expect(result.created).toBe(true);
    expect(lines).toContain('scanning');
    expect(lines.some((line) => line.startsWith(`processed ${SAMPLE_CLASSES.length * PER_CLASS}/${SAMPLE_CLASSES.length * PER_CLASS} files`))).toBe(true);
    expect(lines.some((line) => line.startsWith('dataset cli v1 (created): 12 train and 3 validation images in 3 classes'))).toBe(true);
    expect(lines.find((line) => /^\s+2\s+sandal\s/.test(line))).toMatch(/\s+4\s+1\s+5\s+0$/);
  });

  it('reports an existing version', async () => {
    const { lines, result } = await capture((terminal) => runDatasetImport(importOptions({}), terminal));
    expect(result.created).toBe(false);
    expect(lines.some((line) => line.startsWith('dataset cli v1 (existing'))).toBe(true);
  });

  it('uploads an archive with a bar', async () => {
    const bar = new PassThrough();
    let drawn = '';
    bar.on('data', (chunk: Buffer) => (drawn += chunk.toString('utf8')));
    const { result } = await capture((terminal) => runDatasetImport(importOptions({ name: 'uploaded', sources: [archive], upload: true }), terminal), bar);
    expect(result.created).toBe(true);
    expect(result.dataset.source).toContain('upload clothes.tgz');
    expect(drawn).toContain('files');
  });

  it('uploads two folders as split folders', async () => {
    const validation = path.join(temp.dir, 'validation');
    await copySampleClasses(validation, 2);
    const { result } = await capture((terminal) => runDatasetImport(importOptions({ name: 'pair', sources: [root, validation], validationPerClass: undefined, upload: true }), terminal));
    expect(result.dataset.trainImages).toBe(SAMPLE_CLASSES.length * PER_CLASS);
    expect(result.dataset.validationImages).toBe(SAMPLE_CLASSES.length * 2);
  });

  it('sends the labels file text', async () => {
    const labelsFile = path.join(temp.dir, 'labels.txt');
    await writeFile(labelsFile, 'trouser\r\nsandal\r\n\r\nbag\r\n');
    const { result } = await capture((terminal) => runDatasetImport(importOptions({ name: 'labelled', labelsFile }), terminal));
    expect(result.dataset.labels).toEqual(['trouser', 'sandal', 'bag']);
  });

  it('prints one JSON document', async () => {
    const { lines } = await capture((terminal) => runDatasetImport(importOptions({ name: 'json', json: true }), terminal));
    const parsed = JSON.parse(lines.join('\n')) as { created: boolean; dataset: { ref: { name: string } }; progress: { stage: string } };
    expect(lines).toHaveLength(1);
    expect(parsed.created).toBe(true);
    expect(parsed.dataset.ref.name).toBe('json');
    expect(parsed.progress.stage).toBe('IMPORT_STAGE_SUCCEEDED');
  });

  it('warns when both roots are one folder', async () => {
    const linked = path.join(temp.dir, 'clothes-link');
    await symlink(root, linked);
    const warnings: string[] = [];

    const { result } = await capture((terminal) => runDatasetImport(importOptions({ name: 'same-roots', sources: [root, linked], validationPerClass: undefined }), { ...terminal, warn: (line) => warnings.push(line) }));

    expect(result.created).toBe(true);
    expect(warnings).toEqual([`warning: the train and validation roots are both ${await realpath(root)}, so the validation images are the training images and evaluation will overstate accuracy`]);
  });

  it('does not warn about different roots', async () => {
    const validation = path.join(temp.dir, 'other-validation');
    await copySampleClasses(validation, 1);
    const warnings: string[] = [];

    await capture((terminal) => runDatasetImport(importOptions({ name: 'different-roots', sources: [root, validation], validationPerClass: undefined }), { ...terminal, warn: (line) => warnings.push(line) }));

    expect(warnings).toEqual([]);
  });

  it('names the option in the service\'s error', async () => {
    const run = await runCli(['dataset', 'import', 'whole', root, '--validation-per-class', String(PER_CLASS), '--ingestion', harness.server.address]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`has ${PER_CLASS} files, so --validation-per-class ${PER_CLASS} would leave none for training`);
  });

  it.each([
    ['one source without a split', { validationPerClass: undefined }, '--validation-per-class'],
    ['two sources with a split', { sources: ['/a', '/b'] }, 'already split'],
    ['both split flags', { validationFraction: 0.1 }, 'not both'],
  ])('rejects %s', async (_case, overrides, fragment) => {
    await expect(capture((terminal) => runDatasetImport(importOptions(overrides), terminal))).rejects.toThrow(fragment);
  });
});

describe('inception dataset list and show', () => {
  it('lists versions under a header', async () => {
    const { lines } = await capture((terminal) => runDatasetList({ json: false, ingestion: harness.server.address, name: 'cli' }, terminal));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^dataset\s+created\s+classes\s+train\s+validation\s+converted\s+skipped\s+source$/);
    expect(lines[1]).toMatch(/^cli@1\s+\S+Z\s+3\s+12\s+3\s+15\s+0\s+\S/);
  });

  it('aligns list columns under their headers', async () => {
    const { lines } = await capture((terminal) => runDatasetList({ json: false, ingestion: harness.server.address }, terminal));
    const [header, ...rows] = lines;
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      expect(row.indexOf('@'), row).toBeLessThan(header!.indexOf('created'));
      expect(row.slice(0, header!.indexOf('validation') + 'validation'.length), row).toMatch(/\d$/);
    }
  });

  it('shows the newest version', async () => {
    const { lines, result } = await capture((terminal) => runDatasetShow({ json: false, ingestion: harness.server.address, dataset: 'cli', skipped: true }, terminal));
    expect(result.ref?.version).toBe(1);
    expect(lines[0]).toMatch(/^dataset cli v1: 12 train and 3 validation images/);
    expect(lines).toContain('no skipped files');
    expect(lines.filter((line) => line.startsWith('the skipped files'))).toEqual([]);
  });

  it('points to the skip report when files were skipped', async () => {
    const withNotes = path.join(temp.dir, 'with-notes');
    await copySampleClasses(withNotes, PER_CLASS);
    await writeFile(path.join(withNotes, SAMPLE_CLASSES[0]!, 'notes.txt'), 'not an image\n');

    const { lines } = await capture((terminal) => runDatasetImport(importOptions({ name: 'notes', sources: [withNotes] }), terminal));

    expect(lines).toContain('the skipped files with their reasons: inception dataset show notes@1 --skipped');
  });

  it('runs as the inception command', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'apps/cli/src/main.ts'), 'dataset', 'show', 'cli@1', '--json', '--ingestion', harness.server.address], { cwd: repoRoot });
    const parsed = JSON.parse(stdout) as { dataset: { trainImages: number; classes: Array<{ className: string }> } };
    expect(parsed.dataset.trainImages).toBe(12);
    expect(parsed.dataset.classes.map((entry) => entry.className)).toEqual(SAMPLE_CLASSES);
  });
});
