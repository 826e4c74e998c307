import { describe, expect, it } from 'vitest';

import { numpyLinspace, planShards, shardFileName } from './shard-plan.js';
import { readTestVectors, type ShardPlanVectors } from './test-support/test-vectors.js';

const vectors = readTestVectors<ShardPlanVectors>('shard-plan.json');

describe(`numpyLinspace against NumPy ${vectors.numpy}`, () => {
  it.each(vectors.linspace)('matches linspace($start, $stop, $num)', ({ start, stop, num, values }) => {
    expect(numpyLinspace(start, stop, num)).toEqual(values);
  });

  it('returns no values for num 0', () => {
    expect(numpyLinspace(0, 10, 0)).toEqual([]);
  });
});

describe(`planShards against build_image_data.py under NumPy ${vectors.numpy}`, () => {
  it.each(vectors.plans)(
    'splits $numImages images into $numShards shards over $numThreads threads',
    ({ numImages, numShards, numThreads, shards }) => {
      expect(planShards(numImages, numShards, numThreads)).toEqual(shards);
    },
  );

  it('covers every image exactly once', () => {
    const plan = planShards(1_281_167, 1024, 8);
    expect(plan[0].start).toBe(0);
    expect(plan[plan.length - 1].end).toBe(1_281_167);
    plan.slice(1).forEach((shard, i) => {
      expect(shard.start, `shard ${shard.shardIndex} start`).toBe(plan[i].end);
    });
  });

  it('rejects shards that threads cannot divide', () => {
    expect(() => planShards(100, 10, 4)).toThrow('planShards: numShards 10 is not a multiple of numThreads 4');
  });

  it('rejects zero threads', () => {
    expect(() => planShards(100, 10, 0)).toThrow('numThreads must be an integer of at least 1, got 0');
  });
});

describe('shardFileName', () => {
  it.each(vectors.fileNames)('names shard $shardIndex of $numShards $name', ({ split, shardIndex, numShards, name }) => {
    expect(shardFileName(split, shardIndex, numShards)).toBe(name);
  });

  it('rejects a shard index past the count', () => {
    expect(() => shardFileName('train', 2, 2)).toThrow('shardIndex 2 must be below numShards 2');
  });
});
