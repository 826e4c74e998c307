import { createHash } from 'node:crypto';
import { layout, parseVersionSegment, StorageError, type ObjectStore, type PutResult } from '@inception/storage';
import type { IngestionManifest } from '../domain/manifest.js';
import type { ImageLocation } from '../domain/process-file.js';
import { ImagePackWriter } from './image-pack-writer.js';

/** A manifest with the size and SHA-256 of its object, for ObjectRef messages. */
export interface StoredManifest {
  manifest: IngestionManifest;
  sizeBytes: number;
  sha256: string;
}

/** Dataset versions in the bucket: `datasets/<name>/v<N>/manifest.json` marks a complete version. */
export class DatasetRepository {
  private readonly nameLocks = new Map<string, Promise<unknown>>();

  constructor(private readonly store: ObjectStore) {}

  /**
   * Runs `work` after every earlier `work` for the same dataset name in this process, so two
   * imports cannot both take the next version number.
   * NOTE: replicas do not share this lock; two replicas publishing one name at once can still
   * race for a version number.
   */
  async withNameLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.nameLocks.get(name) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.nameLocks.set(name, current);
    try {
      return await current;
    } finally {
      if (this.nameLocks.get(name) === current) this.nameLocks.delete(name);
    }
  }

  /** Version numbers of `name` that have a manifest, ascending. A folder without one is an unfinished import. */
  async versions(name: string): Promise<number[]> {
    const prefixes = await this.store.listPrefixes(`datasets/${name}/`);
    const versions: number[] = [];
    for (const prefix of prefixes) {
      const version = parseVersionSegment(prefix.slice(`datasets/${name}/`.length));
      if (version !== undefined && (await this.store.exists(layout.datasetManifest(name, version)))) {
        versions.push(version);
      }
    }
    return versions.sort((a, b) => a - b);
  }

  /** Dataset names with at least one object, sorted. */
  async names(): Promise<string[]> {
    const root = layout.datasetsRoot();
    const prefixes = await this.store.listPrefixes(root);
    if (prefixes.length > 0) {
      return prefixes.map((prefix) => prefix.slice(root.length).replace(/\/$/, ''));
    }
    // s3rver 3.7.1 returns only the common prefixes that have an object directly inside, and a
    // dataset folder contains only folders, so it returns none; every key is listed instead.
    // NOTE: on a server that behaves like s3rver this lists every pack of every dataset.
    const names = new Set<string>();
    for await (const object of this.store.list(root)) {
      names.add(object.key.slice(root.length).split('/')[0]);
    }
    return [...names].sort();
  }

  async manifest(name: string, version: number): Promise<StoredManifest> {
    const key = layout.datasetManifest(name, version);
    const bytes = await this.store.getBytes(key);
    try {
      return { manifest: JSON.parse(bytes.toString('utf8')) as IngestionManifest, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    } catch (error) {
      throw new StorageError('integrity', key, `${key}: invalid JSON: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Finds a version of `name` whose content digest equals `contentSha256`, newest first. */
  async findByContent(name: string, contentSha256: string): Promise<StoredManifest | undefined> {
    for (const version of (await this.versions(name)).reverse()) {
      const stored = await this.manifest(name, version);
      if (stored.manifest.contentSha256 === contentSha256) {
        return stored;
      }
    }
    return undefined;
  }

  /** Finds where the images of `name`'s published versions are stored, by SHA-256. */
  async storedImages(name: string): Promise<Map<string, ImageLocation>> {
    const stored = new Map<string, ImageLocation>();
    for (const version of await this.versions(name)) {
      const { manifest } = await this.manifest(name, version);
      for (const image of [...manifest.images.train, ...manifest.images.validation]) {
        stored.set(image.sha256, image.offsetBytes === undefined ? { key: image.key } : { key: image.key, offsetBytes: image.offsetBytes });
      }
    }
    return stored;
  }

  /**
   * Deletes the packs of `name` that no published version lists and that were written before
   * `writtenBefore`: what imports killed half way left behind. Returns the deleted keys.
   * NOTE: an import of the same name that is still running after that age would lose its packs,
   * so the age must be far above the longest import.
   */
  async deleteUnlistedPacks(name: string, stored: Map<string, ImageLocation>, writtenBefore: Date): Promise<string[]> {
    const listed = new Set([...stored.values()].map((location) => location.key));
    const deleted: string[] = [];
    for await (const object of this.store.list(layout.datasetPacksPrefix(name))) {
      if (listed.has(object.key) || !object.lastModified || object.lastModified >= writtenBefore) continue;
      await this.store.delete(object.key);
      deleted.push(object.key);
    }
    return deleted;
  }

  /** Returns a writer that packs the images of an import of `name`, skipping those in `stored`. */
  imageWriter(name: string, stored: Map<string, ImageLocation>, maxUploadsInFlight: number): ImagePackWriter {
    return new ImagePackWriter(this.store, name, stored, { maxUploadsInFlight });
  }

  /** Publishes a version: labels first, the manifest last, so a manifest always means a whole version. */
  async publish(manifest: IngestionManifest): Promise<PutResult> {
    await this.store.put(layout.datasetLabels(manifest.name, manifest.version), `${manifest.labels.join('\n')}\n`, 'text/plain');
    return this.store.putJson(layout.datasetManifest(manifest.name, manifest.version), manifest);
  }
}
