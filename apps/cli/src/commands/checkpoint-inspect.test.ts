import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { fixturePath, makeTempDir, readExpected, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli, type CliRun } from '../build-image-data/test-support/run-cli.js';

interface ExpectedCheckpoint {
  tensors: Record<string, { dtype: string; shape: number[]; sum: number; num_elements?: number; num_values?: number; offset?: number; size?: number }>;
}

interface InspectedCheckpoint {
  format: string;
  path: string;
  tensors: { name: string; dtype: string; shape: number[]; numElements: number; sum: number | null }[];
}

/** Each checkpoint fixture: the folder, what to open in it (empty: the folder), and the file with the `.expected.json`. */
const FIXTURES = [
  { format: 'v1', folder: 'tensorflow/ckpt_v1_tfprof', openName: 'ckpt', expectedName: 'ckpt' },
  { format: 'v2', folder: 'tensorflow/ckpt_v2_contrib_framework_bundle', openName: 'bundle_checkpoint', expectedName: 'bundle_checkpoint.index' },
  { format: 'v2', folder: 'tensorflow/ckpt_v2_saved_model_half_plus_two', openName: 'variables', expectedName: 'variables.index' },
  { format: 'v2', folder: 'tensorflow/ckpt_v2_tensorrt_mnist', openName: '', expectedName: 'model.ckpt-46900.index' },
];
const MNIST = FIXTURES[3];

/** Tolerance for a float64 sum against a fixture sum rounded to 9 significant digits. */
function sumTolerance(expected: number): number {
  return Math.max(Math.abs(expected) * 1e-8, 1e-12);
}

function expectedOf(fixture: (typeof FIXTURES)[number]): ExpectedCheckpoint {
  return readExpected<ExpectedCheckpoint>(`${fixture.folder}/${fixture.expectedName}`);
}

let tempDir: string;
let removeTemp: () => Promise<void>;
/** `--json` runs on each fixture, in FIXTURES order. */
let fixtureRuns: CliRun[];
let textRun: CliRun;
let flippedRun: CliRun;
let missingRun: CliRun;
const FLIPPED_TENSOR = 'dense/kernel';

// Every child process starts at once, since each spends seconds loading the CLI.
beforeAll(async () => {
  ({ dir: tempDir, remove: removeTemp } = await makeTempDir('inception-checkpoint-inspect-'));
  const flippedFolder = await copyWithFlippedByte(path.join(tempDir, 'flipped'));

  [fixtureRuns, textRun, flippedRun, missingRun] = await Promise.all([
    Promise.all(FIXTURES.map((fixture) => runCli(['checkpoint', 'inspect', '--json', path.join(fixturePath(fixture.folder), fixture.openName)]))),
    runCli(['checkpoint', 'inspect', fixturePath(MNIST.folder)]),
    runCli(['checkpoint', 'inspect', '--json', flippedFolder]),
    runCli(['checkpoint', 'inspect', path.join(tempDir, 'model.ckpt-404')]),
  ]);
});

afterAll(async () => {
  await removeTemp();
});

/** Copies the MNIST checkpoint to `folder` and flips one bit inside FLIPPED_TENSOR's data. */
async function copyWithFlippedByte(folder: string): Promise<string> {
  const entry = expectedOf(MNIST).tensors[FLIPPED_TENSOR];
  await cp(fixturePath(MNIST.folder), folder, { recursive: true });
  const dataPath = path.join(folder, 'model.ckpt-46900.data-00000-of-00001');
  const bytes = await readFile(dataPath);
  bytes[(entry.offset ?? 0) + Math.floor((entry.size ?? 0) / 2)] ^= 0x10;
  await writeFile(dataPath, bytes);
  return folder;
}

describe.each(FIXTURES.map((fixture, index) => ({ ...fixture, index })))('checkpoint inspect --json $folder', (fixture) => {
  const expected = expectedOf(fixture);
  const inspected = (): InspectedCheckpoint => JSON.parse(fixtureRuns[fixture.index].stdout) as InspectedCheckpoint;

  it('exits with status 0', () => {
    expect(fixtureRuns[fixture.index].exitCode).toBe(0);
    expect(fixtureRuns[fixture.index].stderr).toBe('');
  });

  it('reports the format', () => {
    expect(inspected().format).toBe(fixture.format);
  });

  it('lists exactly the expected tensors', () => {
    expect(inspected().tensors.map((tensor) => tensor.name)).toEqual(Object.keys(expected.tensors).sort());
  });

  it('prints dtypes, shapes, counts and sums', () => {
    for (const tensor of inspected().tensors) {
      const want = expected.tensors[tensor.name];
      expect(`DT_${tensor.dtype.toUpperCase()}`, `${tensor.name} dtype`).toBe(want.dtype);
      expect(tensor.shape, `${tensor.name} shape`).toEqual(want.shape);
      expect(tensor.numElements, `${tensor.name} element count`).toBe(want.num_elements ?? want.num_values);
      expect(Math.abs((tensor.sum ?? Number.NaN) - want.sum), `${tensor.name} sum`).toBeLessThanOrEqual(sumTolerance(want.sum));
    }
  });
});

describe('checkpoint inspect', () => {
  it('prints a text row per tensor', () => {
    const lines = textRun.stdout.trimEnd().split('\n');

    expect(textRun.exitCode).toBe(0);
    expect(lines[0]).toMatch(/^V2 checkpoint .*model\.ckpt-46900: 27 tensors, \d+ elements$/);
    expect(lines).toHaveLength(2 + 27);
    expect(lines.find((line) => line.startsWith('global_step '))).toMatch(/^global_step\s+int64\s+\[\]\s+1\s+46900$/);
  });

  it('names the tensor of a flipped data byte', () => {
    expect(flippedRun.exitCode).toBe(1);
    expect(flippedRun.stderr).toContain(`tensor ${FLIPPED_TENSOR}: masked CRC32C mismatch`);
  });

  it('reports a missing checkpoint', () => {
    expect(missingRun.exitCode).toBe(1);
    expect(missingRun.stderr).toContain('no checkpoint found');
  });
});

describe('checkpoint inspect from object storage', () => {
  let objects: TestObjectStore;

  beforeAll(async () => {
    objects = await startTestObjectStore('checkpoints');
    const folder = fixturePath(MNIST.folder);
    for (const name of await readdir(folder)) {
      if (!name.endsWith('.expected.json')) await objects.store.put(`runs/mnist/${name}`, await readFile(path.join(folder, name)));
    }
  });

  afterAll(async () => {
    await objects.stop();
  });

  it('reads a V2 checkpoint through its state file', async () => {
    const env = { S3_ENDPOINT: objects.s3.endpoint, S3_ACCESS_KEY: objects.s3.accessKey, S3_SECRET_KEY: objects.s3.secretKey };

    const run = await runCli(['checkpoint', 'inspect', '--json', 's3://checkpoints/runs/mnist/'], env);
    const inspected = JSON.parse(run.stdout) as InspectedCheckpoint;

    expect(run.exitCode).toBe(0);
    expect(inspected.path).toBe('s3://checkpoints/runs/mnist/model.ckpt-46900');
    expect(inspected.tensors.map((tensor) => tensor.name)).toEqual(Object.keys(expectedOf(MNIST).tensors).sort());
  });
});
