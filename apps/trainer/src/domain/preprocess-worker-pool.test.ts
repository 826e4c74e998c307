import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { preprocessForEval, preprocessForTraining } from '@inception/imaging';
import { makeTempDir, repoRoot } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreprocessPool } from './preprocess-worker-pool.js';
import { SeededRandom } from './random.js';

const IMAGE_SIZE = 75;
let jpegBytes: Uint8Array;
let pool: PreprocessPool;

beforeAll(async () => {
  const folder = path.join(repoRoot, 'data/samples/fashion-mnist/train/bag');
  const [first] = (await readdir(folder)).sort();
  jpegBytes = new Uint8Array(await readFile(path.join(folder, first!)));
  pool = new PreprocessPool({ concurrency: 2 });
});

afterAll(async () => {
  await pool?.close();
});

describe('PreprocessPool', () => {
  it('distorts as preprocessForTraining with the same seed', async () => {
    const random = new SeededRandom(12345);
    const expected = await preprocessForTraining(jpegBytes, IMAGE_SIZE, () => random.next());

    const pixels = await pool.preprocessForTraining(jpegBytes, IMAGE_SIZE, 12345);

    expect(pixels).toEqual(expected);
  });

  it('crops as preprocessForEval', async () => {
    const expected = await preprocessForEval(jpegBytes, IMAGE_SIZE);

    const pixels = await pool.preprocessForEval(jpegBytes, IMAGE_SIZE);

    expect(pixels).toEqual(expected);
  });

  it('returns a Float32Array of size × size × 3', async () => {
    const pixels = await pool.preprocessForTraining(jpegBytes, IMAGE_SIZE, 1);

    expect(pixels).toBeInstanceOf(Float32Array);
    expect(pixels.length).toBe(IMAGE_SIZE * IMAGE_SIZE * 3);
  });

  it('rejects undecodable bytes', async () => {
    await expect(pool.preprocessForTraining(new Uint8Array([1, 2, 3]), IMAGE_SIZE, 1)).rejects.toThrow();
  });

  it('rejects a concurrency of 0', () => {
    expect(() => new PreprocessPool({ concurrency: 0 })).toThrow('concurrency 0 is invalid');
  });

  it('rejects tasks when its worker module fails to load', async () => {
    const temp = await makeTempDir('inception-pool-');
    const workerPath = path.join(temp.dir, 'broken-worker.mjs');
    await writeFile(workerPath, 'this is not JavaScript\n');
    const broken = new PreprocessPool({ concurrency: 1, workerUrl: pathToFileURL(workerPath).href });

    await expect(broken.preprocessForEval(jpegBytes, IMAGE_SIZE)).rejects.toThrow();
    await expect(broken.preprocessForEval(jpegBytes, IMAGE_SIZE)).rejects.toThrow();
    await broken.close();
    await temp.remove();
  });

  // The trainer runs under tsx, so its threads register tsx a second time.
  it('loads its worker in a process run by tsx', async () => {
    const poolModule = fileURLToPath(new URL('./preprocess-worker-pool.ts', import.meta.url));
    const temp = await makeTempDir('inception-pool-');
    const scriptPath = path.join(temp.dir, 'run-pool.mts');
    await writeFile(
      scriptPath,
      [
        `import { PreprocessPool } from ${JSON.stringify(poolModule)};`,
        'const pool = new PreprocessPool({ concurrency: 1 });',
        `const pixels = await pool.preprocessForEval(new Uint8Array(${JSON.stringify(Array.from(jpegBytes))}), 8);`,
        'console.log(pixels.length);',
        'await pool.close();',
      ].join('\n'),
    );

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', scriptPath], { cwd: repoRoot }).finally(() => temp.remove());

    expect(stdout.trim()).toBe(String(8 * 8 * 3));
  });
});
