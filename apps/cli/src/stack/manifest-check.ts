import { verifyRecorded, type ObjectStore } from '@inception/storage';

/** Names of the documents that list other objects: dataset, shard-set and version manifests, checkpoints. */
const MANIFEST_NAMES = ['manifest.json', 'checkpoint.json'];

export interface ManifestCheck {
  /** Manifests read. */
  manifests: number;
  /** Object references checked across them. */
  references: number;
  /** One line per listed object that is missing or whose bytes differ, naming the manifest. */
  problems: string[];
}

interface ObjectReference {
  key: string;
  sha256: string;
  sizeBytes?: number;
  /** Offset of the listed bytes inside the object, for an image inside a pack. */
  offsetBytes?: number;
}

/**
 * Collects every `{ key, sha256 }` pair in a manifest, at any depth, plus the `indexKey` and
 * `indexSha256` pair of shard entries, so the check follows format changes without knowing them.
 */
function referencesIn(value: unknown, found: ObjectReference[] = []): ObjectReference[] {
  if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, found);
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.key === 'string' && typeof record.sha256 === 'string') {
      found.push({
        key: record.key,
        sha256: record.sha256,
        sizeBytes: typeof record.sizeBytes === 'number' ? record.sizeBytes : undefined,
        offsetBytes: typeof record.offsetBytes === 'number' ? record.offsetBytes : undefined,
      });
    }
    if (typeof record.indexKey === 'string' && typeof record.indexSha256 === 'string') {
      found.push({ key: record.indexKey, sha256: record.indexSha256 });
    }
    for (const child of Object.values(record)) referencesIn(child, found);
  }
  return found;
}

/** Reads one listed object, or its listed range, and describes how it differs from the listing. */
async function checkReference(read: (key: string) => Promise<Buffer | undefined>, reference: ObjectReference): Promise<string | undefined> {
  const whole = await read(reference.key);
  if (!whole) {
    return `${reference.key}, which does not exist`;
  }

  const offsetBytes = reference.offsetBytes ?? 0;
  const bytes = reference.offsetBytes === undefined ? whole : whole.subarray(offsetBytes, offsetBytes + (reference.sizeBytes ?? whole.length));
  try {
    verifyRecorded(reference.key, bytes, reference);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Reads every manifest in the bucket and checks that each object it lists exists with the size
 * and SHA-256 it records: the invariant that a reader who finds a manifest finds whole data.
 */
export async function checkManifests(store: ObjectStore): Promise<ManifestCheck> {
  const result: ManifestCheck = { manifests: 0, references: 0, problems: [] };
  // A pack is listed once per image in it, so each object is read once.
  const objects = new Map<string, Promise<Buffer | undefined>>();
  const read = (key: string) => {
    if (!objects.has(key)) objects.set(key, store.getBytes(key).catch(() => undefined));
    return objects.get(key)!;
  };
  const manifestKeys: string[] = [];
  for await (const item of store.list('')) {
    if (MANIFEST_NAMES.some((name) => item.key.endsWith(`/${name}`))) manifestKeys.push(item.key);
  }

  for (const manifestKey of manifestKeys) {
    result.manifests += 1;
    const manifest = await store.getJson<unknown>(manifestKey);
    for (const reference of referencesIn(manifest)) {
      result.references += 1;
      const problem = await checkReference(read, reference);
      if (problem) result.problems.push(`${manifestKey} lists ${problem}`);
    }
  }
  return result;
}
