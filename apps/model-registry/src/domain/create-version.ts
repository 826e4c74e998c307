import path from 'node:path';
import type { ModelRepository, VersionManifest } from '../storage/model-repository.js';

export interface SourceFile {
  key: string;
  sizeBytes: number;
  sha256: string;
}

const VERSION_MANIFEST_NAME = 'manifest.json';

/** Thrown when the files of a new version are not acceptable; the message names the file. */
export class VersionRequestError extends Error {
  override readonly name = 'VersionRequestError';
}

/**
 * Runs changes to one model at a time (new versions, alias moves, deletions), so two requests
 * never take the same version number and every alias move sees the state the previous one left.
 * This holds within one registry process, which is why the registry runs as one replica.
 */
export class ModelLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(model: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(model) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.tails.set(model, next.catch(() => undefined));
    return next;
  }
}

/**
 * Copies the files into `models/<model>/versions/<n>/`, checking each against its recorded size
 * and SHA-256, then writes the manifest. Files keep their base names, which must be unique.
 */
export async function createVersion(repository: ModelRepository, lock: ModelLock, model: string, files: SourceFile[], lineage: unknown): Promise<VersionManifest> {
  if (files.length === 0) {
    throw new VersionRequestError('files is empty: a version needs at least one checkpoint file');
  }
  const names = new Set<string>();
  for (const file of files) {
    const name = path.posix.basename(file.key);
    if (name === VERSION_MANIFEST_NAME) {
      throw new VersionRequestError(`files: "${file.key}" is named ${VERSION_MANIFEST_NAME}, which the version's own manifest uses`);
    }
    if (names.has(name)) {
      throw new VersionRequestError(`files: two files are named "${name}"`);
    }
    names.add(name);
  }

  return lock.run(model, async () => {
    const version = ((await repository.versions(model)).at(-1) ?? 0) + 1;
    const entries = [];
    for (const file of files) {
      entries.push(await repository.copyFile(model, version, { name: path.posix.basename(file.key), sourceKey: file.key, sha256: file.sha256, sizeBytes: file.sizeBytes }));
    }
    const manifest: VersionManifest = { formatVersion: 1, model, version, createdAt: new Date().toISOString(), files: entries, lineage };
    await repository.publish(manifest);
    return manifest;
  });
}
