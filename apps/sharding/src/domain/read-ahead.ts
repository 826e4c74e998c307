/**
 * Yields `fetch(item)` for every item in order while up to `windowSize` fetches run ahead of the
 * consumer, so the latency of one object-store request hides behind the others. A fetch that
 * fails surfaces when its turn comes; fetches still running when the consumer stops are left to
 * settle, and their results are dropped.
 */
export async function* readAhead<T, R>(items: readonly T[], windowSize: number, fetch: (item: T) => Promise<R>): AsyncGenerator<R> {
  if (!Number.isInteger(windowSize) || windowSize < 1) {
    throw new RangeError(`readAhead: windowSize must be a positive integer, got ${windowSize}`);
  }

  const pending: Array<Promise<R>> = [];
  let nextIndex = 0;
  const fill = () => {
    while (nextIndex < items.length && pending.length < windowSize) {
      const result = fetch(items[nextIndex]!);
      // Marks the rejection as observed: it is rethrown when the consumer reaches this item.
      result.catch(() => undefined);
      pending.push(result);
      nextIndex += 1;
    }
  };

  fill();
  while (pending.length > 0) {
    const result = await pending.shift()!;
    fill();
    yield result;
  }
}
