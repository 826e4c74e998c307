import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the repository checkout (this file sits at libs/testing/src). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Folder of real TensorFlow-written files, `../shared/fixtures` beside the checkout.
 * `INCEPTION_FIXTURES_DIR` overrides it for checkouts laid out differently.
 */
export const fixturesDir = process.env.INCEPTION_FIXTURES_DIR ?? path.resolve(repoRoot, '../shared/fixtures');

/** Returns the absolute path of a fixture, failing loudly when the shared folder is missing. */
export function fixturePath(relativePath: string): string {
  const absolute = path.join(fixturesDir, relativePath);
  if (!existsSync(absolute)) {
    throw new Error(`fixture ${relativePath} not found under ${fixturesDir}; set INCEPTION_FIXTURES_DIR`);
  }
  return absolute;
}

/** Parses `<fixture>.expected.json`, the decoded values that sit beside each fixture. */
export function readExpected<T = Record<string, unknown>>(relativePath: string): T {
  return JSON.parse(readFileSync(fixturePath(`${relativePath}.expected.json`), 'utf8')) as T;
}

/** Creates a fresh temporary folder and returns it with a function that deletes it. */
export async function makeTempDir(prefix = 'inception-test-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
