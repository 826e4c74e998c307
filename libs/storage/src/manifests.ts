/** Documents kept in the bucket; every one carries `formatVersion` so readers can reject what they do not know. */

export type Split = 'train' | 'validation';

export const SPLITS: readonly Split[] = ['train', 'validation'];

export interface DatasetImage {
  /** Class name; its label is 1 + its index in `labels`. */
  className: string;
  label: number;
  /** Path of the source file relative to its split root, e.g. "roses/12240303_80d87f77a3_n.jpg". */
  sourcePath: string;
  /** Key of the object that contains the normalised JPEG: an image pack, or the image alone. */
  key: string;
  /**
   * Offset of the JPEG inside `key` when that object is a pack of several images. The JPEG runs
   * for `sizeBytes` bytes. Absent when the object is the image alone.
   */
  offsetBytes?: number;
  sha256: string;
  sizeBytes: number;
  width: number;
  height: number;
  /** Format detected from the source bytes: jpeg, png, gif, webp, tiff, bmp. */
  originalFormat: string;
  /** "none" when the source JPEG is kept byte for byte, else what was converted (e.g. "grayscale to RGB"). */
  conversion: string;
  /** EXIF orientation of the source (1–8), recorded and not applied, as TensorFlow's decoder does. */
  exifOrientation?: number;
}

export interface SkippedImage {
  split: Split;
  sourcePath: string;
  /** Machine-readable reason such as "corrupt", "empty", "not-an-image", "too-many-pixels", "hidden-file". */
  reason: string;
  detail: string;
}

export interface DatasetManifest {
  formatVersion: 1;
  name: string;
  version: number;
  createdAt: string;
  /** Class names; label i + 1 belongs to labels[i], label 0 is the unused background class. */
  labels: string[];
  /** SHA-256 over the sorted (split, class, image sha256) entries: equal content gives an equal digest. */
  contentSha256: string;
  sources: { train: string; validation: string };
  images: Record<Split, DatasetImage[]>;
  skipped: SkippedImage[];
}

export interface ShardEntry {
  split: Split;
  shardIndex: number;
  numShards: number;
  key: string;
  sizeBytes: number;
  sha256: string;
  indexKey: string;
  indexSizeBytes: number;
  indexSha256: string;
  records: number;
}

export interface ShardSetManifest {
  formatVersion: 1;
  dataset: { name: string; version: number };
  datasetContentSha256: string;
  setId: string;
  compression: 'none' | 'gzip' | 'zlib';
  seed: number;
  numThreads: number;
  numShards: Record<Split, number>;
  labels: string[];
  shards: ShardEntry[];
  createdAt: string;
}

export interface FileEntry {
  /** Name relative to the checkpoint or version folder, e.g. "model.json". */
  name: string;
  key: string;
  sizeBytes: number;
  sha256: string;
}
