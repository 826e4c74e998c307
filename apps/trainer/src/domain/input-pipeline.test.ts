import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { preprocessForTraining } from '@inception/imaging';
import { repoRoot } from '@inception/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabelledImage } from '../storage/shard-reader.js';
import { evaluationBatches, InputPipeline, type Batch } from './input-pipeline.js';
import { PreprocessPool } from './preprocess-worker-pool.js';
import { SeededRandom } from './random.js';

const IMAGE_SIZE = 75;
const BATCH_SIZE = 4;
const SEED = 99;
const RANDOM_STATE = 7;
const CLASSES = ['bag', 'sandal'];
const IMAGES_PER_CLASS = 5;

let images: LabelledImage[];
let sharedPool: PreprocessPool;
const openPipelines: InputPipeline[] = [];

/** Creates a pipeline on the shared pool unless a concurrency is given. */
function pipeline(options: { concurrency?: number; position?: { epoch: number; offset: number }; randomState?: number; prefetchBatches?: number; images?: LabelledImage[] } = {}): InputPipeline {
  const created = new InputPipeline(
    options.images ?? images,
    IMAGE_SIZE,
    BATCH_SIZE,
    SEED,
    new SeededRandom(options.randomState ?? RANDOM_STATE),
    options.concurrency ?? 2,
    options.position,
    { prefetchBatches: options.prefetchBatches, pool: options.concurrency === undefined ? sharedPool : undefined },
  );
  openPipelines.push(created);
  return created;
}

async function takeBatch(source: InputPipeline): Promise<{ pixels: Float32Array; labels: number[] }> {
  return readBatch(await source.nextBatch());
}

async function readBatch(batch: Batch): Promise<{ pixels: Float32Array; labels: number[] }> {
  const pixels = (await batch.images.data()) as Float32Array;
  batch.images.dispose();
  return { pixels, labels: Array.from(batch.labels) };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  sharedPool = new PreprocessPool({ concurrency: 2 });
  images = [];
  for (const [index, className] of CLASSES.entries()) {
    const folder = path.join(repoRoot, 'data/samples/fashion-mnist/train', className);
    for (const file of (await readdir(folder)).sort().slice(0, IMAGES_PER_CLASS)) {
      images.push({ jpegBytes: new Uint8Array(await readFile(path.join(folder, file))), label: index + 1 });
    }
  }
});

afterEach(async () => {
  await Promise.all(openPipelines.splice(0).map((open) => open.close()));
});

afterAll(async () => {
  await sharedPool?.close();
});

describe('InputPipeline', () => {
  it('matches main-thread preprocessing with the drawn seeds', async () => {
    const order = new SeededRandom((SEED ^ Math.imul(1, 0x9e3779b1)) >>> 0).permutation(images.length);
    const random = new SeededRandom(RANDOM_STATE);
    const seeds = order.slice(0, BATCH_SIZE).map(() => Math.floor(random.next() * 4294967296));
    const expected = await Promise.all(
      order.slice(0, BATCH_SIZE).map((imageIndex, index) => {
        const local = new SeededRandom(seeds[index]!);
        return preprocessForTraining(images[imageIndex]!.jpegBytes, IMAGE_SIZE, () => local.next());
      }),
    );

    const batch = await takeBatch(pipeline());

    expect(batch.labels).toEqual(order.slice(0, BATCH_SIZE).map((imageIndex) => images[imageIndex]!.label));
    expect(batch.pixels).toEqual(Float32Array.from(expected.flatMap((pixels) => Array.from(pixels))));
  });

  it('yields the same batches at any concurrency', async () => {
    const one = pipeline({ concurrency: 1, prefetchBatches: 1 });
    const four = pipeline({ concurrency: 4, prefetchBatches: 3 });

    for (let step = 0; step < 3; step += 1) {
      expect(await takeBatch(four)).toEqual(await takeBatch(one));
    }
  });

  it('resumes from its checkpoint with the next batch', async () => {
    const original = pipeline();
    await takeBatch(original);
    const { position, randomState } = original.checkpoint;
    const expected = await takeBatch(original);

    const resumed = pipeline({ position, randomState });

    expect(await takeBatch(resumed)).toEqual(expected);
  });

  it('moves to the next epoch after the last image', async () => {
    const source = pipeline();

    for (let step = 0; step < 3; step += 1) await takeBatch(source);

    expect(source.checkpoint.position).toEqual({ epoch: 1, offset: 3 * BATCH_SIZE - images.length });
  });

  it('fills its queue while no step takes a batch', async () => {
    const source = pipeline({ prefetchBatches: 2 });

    await source.settled();

    expect(source.queueFill).toEqual({ readyBatches: 2, capacityBatches: 2 });
  });

  it('reports an undecodable image from nextBatch', async () => {
    const broken = [{ jpegBytes: new Uint8Array([1, 2, 3]), label: 1 }];

    await expect(pipeline({ images: broken }).nextBatch()).rejects.toThrow();
  });

  it('rejects an empty split', () => {
    expect(() => pipeline({ images: [] })).toThrow('the training split has no images');
  });
});

describe('evaluationBatches', () => {
  it('keeps shard order in full batches and a remainder', async () => {
    const labels: number[][] = [];

    for await (const batch of evaluationBatches(images, IMAGE_SIZE, BATCH_SIZE, 2)) {
      labels.push((await readBatch(batch)).labels);
    }

    expect(labels).toEqual([
      [1, 1, 1, 1],
      [1, 2, 2, 2],
      [2, 2],
    ]);
  });
});
