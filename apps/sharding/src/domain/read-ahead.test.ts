import { describe, expect, it } from 'vitest';
import { readAhead } from './read-ahead.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

describe('readAhead', () => {
  it('yields results in item order', async () => {
    const fetches = [1, 2, 3, 4].map(() => deferred<number>());
    const values = collect(readAhead([0, 1, 2, 3], 4, (index) => fetches[index]!.promise));
    for (const [index, fetch] of [...fetches.entries()].reverse()) fetch.resolve(index * 10);
    expect(await values).toEqual([0, 10, 20, 30]);
  });

  it('keeps at most the window of fetches running', async () => {
    let running = 0;
    let maxRunning = 0;
    const fetch = async (value: number) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await Promise.resolve();
      running -= 1;
      return value;
    };
    await collect(readAhead(Array.from({ length: 20 }, (_, index) => index), 3, fetch));
    expect(maxRunning).toBe(3);
  });

  it('throws a failed fetch when its turn comes', async () => {
    const seen: number[] = [];
    const iterate = async () => {
      for await (const value of readAhead([1, 2, 3], 3, async (value) => {
        if (value === 2) throw new Error('image 2 not found');
        return value;
      })) {
        seen.push(value);
      }
    };
    await expect(iterate()).rejects.toThrow('image 2 not found');
    expect(seen).toEqual([1]);
  });

  it('yields nothing for no items', async () => {
    expect(await collect(readAhead([], 2, async (value) => value))).toEqual([]);
  });

  it('rejects a window below 1', async () => {
    await expect(collect(readAhead([1], 0, async (value) => value))).rejects.toThrow('windowSize must be a positive integer, got 0');
  });
});
