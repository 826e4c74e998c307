import { planShards, pythonShuffle } from '@inception/tfrecord';
import { describe, expect, it } from 'vitest';

import type { ImageFile } from './find-files.js';
import { planSplit } from './plan.js';

function files(count: number): ImageFile[] {
  return Array.from({ length: count }, (_, i) => ({ path: `/data/train/c/${i}.jpg`, label: 1 + (i % 5), text: 'c' }));
}

describe('planSplit', () => {
  it('gives the Flowers thread spacings', () => {
    expect(planSplit('train', files(3170), 2, 2).threadRanges).toEqual([
      [0, 1585],
      [1585, 3170],
    ]);
  });

  it('shuffles with seed 12345', () => {
    const input = files(50);
    const expectedOrder = pythonShuffle(
      input.map((_, i) => i),
      12345,
    );
    expect(planSplit('validation', input, 2, 2).files).toEqual(expectedOrder.map((i) => input[i]));
  });

  it('cuts shards like planShards', () => {
    const plan = planSplit('train', files(103), 8, 4);
    const ranges = planShards(103, 8, 4);

    expect(plan.shards.map(({ shardIndex, threadIndex, start, end }) => ({ shardIndex, threadIndex, start, end }))).toEqual(ranges);
    expect(plan.shards.map((shard) => shard.name)).toEqual(ranges.map((range) => `train-${String(range.shardIndex).padStart(5, '0')}-of-00008`));
    expect(plan.shards.map((shard) => shard.files)).toEqual(ranges.map((range) => plan.files.slice(range.start, range.end)));
    expect(plan.threadRanges).toEqual([
      [0, 25],
      [25, 51],
      [51, 77],
      [77, 103],
    ]);
  });
});
