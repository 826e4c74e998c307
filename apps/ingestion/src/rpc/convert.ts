import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { DatasetVersion } from '@inception/proto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { DatasetVersionSchema } from '@inception/proto';
import { layout, type DatasetManifest } from '@inception/storage';

/** Describes a dataset manifest as the DatasetVersion message. */
export function datasetVersionMessage(manifest: DatasetManifest, manifestRef: { sizeBytes: number; sha256: string }): MessageInitShape<typeof DatasetVersionSchema> {
  const all = [...manifest.images.train, ...manifest.images.validation];
  return {
    ref: { name: manifest.name, version: manifest.version },
    manifest: { key: layout.datasetManifest(manifest.name, manifest.version), sizeBytes: BigInt(manifestRef.sizeBytes), sha256: manifestRef.sha256 },
    labels: manifest.labels,
    trainImages: manifest.images.train.length,
    validationImages: manifest.images.validation.length,
    skippedImages: manifest.skipped.length,
    convertedImages: all.filter((image) => image.conversion !== 'none').length,
    contentSha256: manifest.contentSha256,
    createdAt: timestampFromDate(new Date(manifest.createdAt)),
  };
}

export type { DatasetVersion };
