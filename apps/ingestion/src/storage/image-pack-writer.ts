import { randomBytes } from 'node:crypto';
import { layout, type ObjectStore } from '@inception/storage';
import type { ImageLocation, ImageSink } from '../domain/process-file.js';

/**
 * Size at which a pack is closed and uploaded, in bytes. An 8 MiB pack contains about 400 of the
 * benchmark's 20 KB photos, so the object store receives one request per 400 images, while a
 * failed upload repeats little work.
 */
export const PACK_TARGET_BYTES = 8 * 1024 * 1024;

export interface ImagePackWriterOptions {
  /** Packs uploading at once, beside the decoding. */
  maxUploadsInFlight: number;
  /** Default {@link PACK_TARGET_BYTES}. */
  packTargetBytes?: number;
}

interface OpenPack {
  key: string;
  chunks: Uint8Array[];
  sizeBytes: number;
}

/**
 * Writes a dataset's normalised images into packs under `datasets/<name>/packs/`: JPEGs end to end
 * in objects of about {@link PACK_TARGET_BYTES}, each image found by its pack, offset and size.
 * Images already stored (listed in `known`, read from earlier versions' manifests) or put twice
 * are not stored again, so a re-import uploads nothing.
 *
 * `put` returns the image's location at once; the pack is uploaded when full or at `flush`, at
 * most `maxUploadsInFlight` at a time. `flush` waits for every upload and throws the first
 * failure; a version may be published only after it. `discard` deletes what this writer uploaded,
 * for an import that failed.
 * NOTE: packs of an import whose process was killed stay in the bucket, referenced by no manifest.
 */
export class ImagePackWriter implements ImageSink {
  private readonly writerId = `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
  private readonly packTargetBytes: number;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly uploadedKeys: string[] = [];
  private open: OpenPack | undefined;
  private packsStarted = 0;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly name: string,
    private readonly known: Map<string, ImageLocation>,
    private readonly options: ImagePackWriterOptions,
  ) {
    this.packTargetBytes = options.packTargetBytes ?? PACK_TARGET_BYTES;
  }

  async put(sha256: string, jpegBytes: Uint8Array): Promise<ImageLocation> {
    this.throwIfFailed();
    const stored = this.known.get(sha256);
    if (stored) {
      return stored;
    }

    this.open ??= this.startPack();
    const pack = this.open;
    const location = { key: pack.key, offsetBytes: pack.sizeBytes };
    pack.chunks.push(jpegBytes);
    pack.sizeBytes += jpegBytes.length;
    this.known.set(sha256, location);

    if (pack.sizeBytes >= this.packTargetBytes) {
      await this.upload();
    }
    return location;
  }

  /** Uploads the open pack and waits for every upload; throws the first upload failure. */
  async flush(): Promise<void> {
    await this.upload();
    while (this.inFlight.size > 0) {
      await Promise.all(this.inFlight);
    }
    this.throwIfFailed();
  }

  /** Waits for the uploads in flight, then deletes every pack this writer stored, ignoring failures. */
  async discard(): Promise<void> {
    this.open = undefined;
    await Promise.allSettled(this.inFlight);
    await Promise.allSettled(this.uploadedKeys.map((key) => this.store.delete(key)));
  }

  private startPack(): OpenPack {
    this.packsStarted += 1;
    const packId = `${this.writerId}-${String(this.packsStarted).padStart(5, '0')}`;
    return { key: layout.datasetPack(this.name, packId), chunks: [], sizeBytes: 0 };
  }

  /** Closes the open pack and starts its upload once fewer than `maxUploadsInFlight` are running. */
  private async upload(): Promise<void> {
    const pack = this.open;
    this.open = undefined;
    if (!pack || pack.sizeBytes === 0) {
      return;
    }
    while (this.inFlight.size >= this.options.maxUploadsInFlight) {
      await Promise.race(this.inFlight);
      this.throwIfFailed();
    }

    const upload = this.store.put(pack.key, Buffer.concat(pack.chunks, pack.sizeBytes), 'application/octet-stream').then(
      () => {
        this.uploadedKeys.push(pack.key);
      },
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
    const tracked = upload.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
