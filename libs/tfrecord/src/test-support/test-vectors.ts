import { readFileSync } from 'node:fs';

// Reference values written by scripts/generate_test_vectors.py from CPython and NumPy.

export interface PythonRandomVectors {
  python: string;
  shuffles: { seed: number; size: number; order: number[] }[];
  /** Seeds are decimal strings because some exceed 2^53. */
  random: { seed: string; values: number[] }[];
  getrandbitsSequence: { seed: number; draws: { bitCount: number; value: string }[] };
  randbelowSequence: { seed: number; draws: { n: number; value: number }[] };
}

export interface ShardPlanVectors {
  python: string;
  numpy: string;
  linspace: { start: number; stop: number; num: number; values: number[] }[];
  plans: {
    numImages: number;
    numShards: number;
    numThreads: number;
    shards: { shardIndex: number; threadIndex: number; start: number; end: number }[];
  }[];
  fileNames: { split: string; shardIndex: number; numShards: number; name: string }[];
}

export function readTestVectors<T>(fileName: string): T {
  return JSON.parse(readFileSync(new URL(`../testdata/${fileName}`, import.meta.url), 'utf8')) as T;
}
