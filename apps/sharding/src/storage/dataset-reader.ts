import { layout, StorageError, type DatasetImage, type DatasetManifest, type ObjectStore } from '@inception/storage';

/** Reads dataset manifests (cached: versions are immutable) and their verified images. */
export class DatasetReader {
  private readonly manifests = new Map<string, Promise<DatasetManifest>>();

  constructor(private readonly store: ObjectStore) {}

  manifest(name: string, version: number): Promise<DatasetManifest> {
    const cacheKey = `${name}@${version}`;
    let manifest = this.manifests.get(cacheKey);
    if (!manifest) {
      const key = layout.datasetManifest(name, version);
      manifest = this.store.getJson<DatasetManifest>(key).catch((error: unknown) => {
        if (error instanceof StorageError && error.kind === 'not-found') {
          throw new StorageError('not-found', key, `dataset "${name}" has no version ${version}; import it with inception dataset import`, { cause: error });
        }
        throw error;
      });
      manifest.catch(() => this.manifests.delete(cacheKey));
      this.manifests.set(cacheKey, manifest);
    }
    return manifest;
  }

  /**
   * Returns an image's bytes, read from its pack (or its own object in datasets written before
   * packs), after checking them against the size and SHA-256 the manifest recorded.
   */
  image(image: DatasetImage): Promise<Buffer> {
    return this.store.getVerified(image.key, { sha256: image.sha256, sizeBytes: image.sizeBytes, offsetBytes: image.offsetBytes });
  }
}
