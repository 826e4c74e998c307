import { layout, StorageError, verifyRecorded, type DatasetImage, type DatasetManifest, type ObjectStore } from '@inception/storage';
import { PackCache } from './pack-cache.js';

/** Bytes of whole image packs a reader keeps in memory by default: 256 MiB. */
export const DEFAULT_PACK_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * Reads dataset manifests (cached: versions are immutable) and their verified images. The images
 * of a dataset version whose packs fit the {@link PackCache} budget all together come from whole
 * cached packs; the images of larger ones are read with a ranged GET each, because their units
 * take images from all over the dataset and would read a whole pack for each image.
 */
export class DatasetReader {
  private readonly manifests = new Map<string, Promise<DatasetManifest>>();
  /** Bytes of each cached pack that the images of loaded manifests span, by pack key. */
  private readonly cachedPackSpans = new Map<string, number>();
  private readonly packCache: PackCache;

  constructor(
    private readonly store: ObjectStore,
    packCacheBytes = DEFAULT_PACK_CACHE_BYTES,
  ) {
    this.packCache = new PackCache(store, packCacheBytes);
  }

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
      manifest.then((loaded) => this.recordPackSpans(loaded), () => this.manifests.delete(cacheKey));
      this.manifests.set(cacheKey, manifest);
    }
    return manifest;
  }

  /**
   * Returns an image's bytes, read from its pack (or its own object in datasets written before
   * packs), after checking them against the size and SHA-256 the manifest recorded.
   */
  async image(image: DatasetImage): Promise<Buffer> {
    const span = this.cachedPackSpans.get(image.key);
    if (image.offsetBytes === undefined || span === undefined) {
      return this.store.getVerified(image.key, { sha256: image.sha256, sizeBytes: image.sizeBytes, offsetBytes: image.offsetBytes });
    }

    const pack = await this.packCache.read(image.key, span);
    const bytes = pack.subarray(image.offsetBytes, image.offsetBytes + image.sizeBytes);
    verifyRecorded(image.key, bytes, { sha256: image.sha256, sizeBytes: image.sizeBytes, offsetBytes: image.offsetBytes });
    return bytes;
  }

  /** Marks the packs of `manifest` for the cache when all of them together fit its budget. */
  private recordPackSpans(manifest: DatasetManifest): void {
    const spans = new Map<string, number>();
    for (const image of [...manifest.images.train, ...manifest.images.validation]) {
      if (image.offsetBytes === undefined) continue;
      const end = image.offsetBytes + image.sizeBytes;
      if (end > (spans.get(image.key) ?? 0)) spans.set(image.key, end);
    }

    const totalBytes = [...spans.values()].reduce((sum, bytes) => sum + bytes, 0);
    if (!this.packCache.fits(totalBytes)) return;
    for (const [key, bytes] of spans) {
      if (bytes > (this.cachedPackSpans.get(key) ?? 0)) this.cachedPackSpans.set(key, bytes);
    }
  }
}
