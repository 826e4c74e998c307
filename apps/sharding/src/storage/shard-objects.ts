import { createHash } from 'node:crypto';
import path from 'node:path';
import { layout, type ObjectStore, type ShardSetManifest } from '@inception/storage';

/**
 * Folder of a shard set that contains shard bytes not yet verified and published. Its name keeps
 * the objects out of the `<split>-*` glob that readers of a shard folder use.
 */
export const INCOMPLETE_FOLDER = '_incomplete';

/**
 * Returns the key one attempt writes a shard to before publishing it under `shardKey`. Each
 * attempt gets a folder of its own because s3rver 3.7.1 removes a folder when its last object is
 * deleted, and a write into that folder at the same moment crashes the server (ENOENT).
 */
export function temporaryShardKey(shardKey: string, attemptId: string): string {
  return `${path.posix.dirname(shardKey)}/${INCOMPLETE_FOLDER}/${attemptId}/${path.posix.basename(shardKey)}`;
}

/** Returns the prefix of every temporary object of the set under `setPrefix` (which ends in "/"). */
export function incompletePrefix(setPrefix: string): string {
  return `${setPrefix}${INCOMPLETE_FOLDER}/`;
}

/**
 * Deletes the temporary objects of a shard set: those of attempts that died before their own
 * clean-up, such as a replica killed between writing and publishing a shard. Returns how many
 * objects it deleted.
 */
export function removeIncompleteObjects(store: ObjectStore, setPrefix: string): Promise<number> {
  return store.deletePrefix(incompletePrefix(setPrefix));
}

/** A shard set's manifest with the size and SHA-256 of the bytes it was parsed from. */
export interface StoredShardSetManifest {
  manifest: ShardSetManifest;
  sizeBytes: number;
  sha256: string;
}

/** Reads a shard set's manifest once, returning it with the digest that responses name it by. */
export async function readShardSetManifest(store: ObjectStore, dataset: { name: string; version: number }, setId: string): Promise<StoredShardSetManifest> {
  const { value, bytes } = await store.getJsonWithBytes<ShardSetManifest>(layout.shardSetManifest(dataset.name, dataset.version, setId));
  return {
    manifest: value,
    sizeBytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}
