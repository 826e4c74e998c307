import { cp } from 'node:fs/promises';
import path from 'node:path';

import { fixturePath, readExpected } from '@inception/testing';

/** A tensor as a fixture's `.expected.json` describes it. */
export interface ExpectedTensor {
  dtype: string;
  shape: number[];
  sum: number;
  /** V2 fixtures. */
  num_elements?: number;
  offset?: number;
  size?: number;
  /** V1 fixtures. */
  num_values?: number;
}

export interface ExpectedCheckpoint {
  tensors: Record<string, ExpectedTensor>;
  /** V2: the index keys, "" first. */
  keys_in_order?: string[];
  /** V1: the table keys in hex. */
  raw_keys_hex?: string[];
}

/** A checkpoint fixture: its folder, what to open inside it, and the file whose `.expected.json` describes it. */
export interface CheckpointFixture {
  format: 'v1' | 'v2';
  /** Folder relative to the fixtures folder. */
  folder: string;
  /** V1 file or V2 prefix inside the folder; empty to open the folder through its `checkpoint` state file. */
  openName: string;
  /** File in the folder that has the `.expected.json` beside it. */
  expectedName: string;
}

export const CHECKPOINT_FIXTURES: readonly CheckpointFixture[] = [
  { format: 'v1', folder: 'tensorflow/ckpt_v1_tfprof', openName: 'ckpt', expectedName: 'ckpt' },
  { format: 'v2', folder: 'tensorflow/ckpt_v2_contrib_framework_bundle', openName: 'bundle_checkpoint', expectedName: 'bundle_checkpoint.index' },
  { format: 'v2', folder: 'tensorflow/ckpt_v2_saved_model_half_plus_two', openName: 'variables', expectedName: 'variables.index' },
  { format: 'v2', folder: 'tensorflow/ckpt_v2_tensorrt_mnist', openName: '', expectedName: 'model.ckpt-46900.index' },
];

/** Returns the absolute path to open for a fixture. */
export function fixtureOpenPath(fixture: CheckpointFixture): string {
  return path.join(fixturePath(fixture.folder), fixture.openName);
}

/** Reads a fixture's `.expected.json`. */
export function readExpectedCheckpoint(fixture: CheckpointFixture): ExpectedCheckpoint {
  return readExpected<ExpectedCheckpoint>(`${fixture.folder}/${fixture.expectedName}`);
}

/** Maps a fixture dtype such as `DT_FLOAT` to TensorFlow's short name, `float`. */
export function shortDTypeName(fixtureDType: string): string {
  return fixtureDType.replace(/^DT_/, '').toLowerCase();
}

/**
 * Tolerance for comparing a float64 sum with a fixture sum, which is rounded to 9 significant
 * digits.
 */
export function sumTolerance(expected: number): number {
  return Math.max(Math.abs(expected) * 1e-8, 1e-12);
}

/** Copies a fixture's folder into `targetDir` and returns the copy's path. */
export async function copyFixtureFolder(relativeFolder: string, targetDir: string): Promise<string> {
  const target = path.join(targetDir, path.basename(relativeFolder));
  await cp(fixturePath(relativeFolder), target, { recursive: true });
  return target;
}
