/** Contents of the Fashion-MNIST sample set and the location of its sources. */

/** Debian package that installs the Fashion-MNIST IDX files. */
export const DEBIAN_PACKAGE = 'dataset-fashion-mnist';
export const DEFAULT_SOURCE_DIR = '/usr/share/datasets/fashion-mnist';
export const DEFAULT_COPYRIGHT_FILE = `/usr/share/doc/${DEBIAN_PACKAGE}/copyright`;

/** Fashion-MNIST class names in label order 0–9, made safe for folder names. */
export const CLASS_NAMES = [
  't-shirt-top',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle-boot',
] as const;

/** Fashion-MNIST's own class names, in label order. */
export const ORIGINAL_CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** One output split: which IDX pair it reads and how many images of each class it keeps. */
export interface SplitSpec {
  name: 'train' | 'validation';
  imagesFile: string;
  labelsFile: string;
  imagesPerClass: number;
}

export const SPLITS: readonly SplitSpec[] = [
  { name: 'train', imagesFile: 'train-images-idx3-ubyte.gz', labelsFile: 'train-labels-idx1-ubyte.gz', imagesPerClass: 80 },
  { name: 'validation', imagesFile: 't10k-images-idx3-ubyte.gz', labelsFile: 't10k-labels-idx1-ubyte.gz', imagesPerClass: 20 },
];

/** JPEG quality of the sample images. */
export const JPEG_QUALITY = 95;

/** A source file and its SHA-256 digest in hex. */
export interface SourceFile {
  name: string;
  sha256: string;
}

/** Record of a build's inputs and outputs, written to PROVENANCE.md. */
export interface BuildSummary {
  packageVersion: string;
  /** Upstream URL from the copyright file's `Source` field, if any. */
  upstreamSource: string | undefined;
  sourceFiles: SourceFile[];
  imagesPerSplit: Record<SplitSpec['name'], number>;
}

