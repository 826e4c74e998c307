/**
 * Returns a xorshift32 generator of uniform values in [0, 1), so tests repeat their draws.
 * Not for anything that needs statistical quality beyond a few million draws.
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}
