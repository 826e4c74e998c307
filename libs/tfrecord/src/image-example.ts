import { decodeExample, encodeExample } from './example.js';
import { bytesFeature, floatFeature, int64Feature, type FeatureMap, type FeatureValue } from './feature.js';

/** Box corners relative to the image size, each in [0, 1], as `build_imagenet_data.py` stores them. */
export interface BoundingBox {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** Per-image inputs of TensorFlow's `build_image_data.py` converter. */
export interface ImageExampleInput {
  /** Encoded JPEG bytes, stored unchanged. */
  encoded: Uint8Array;
  /** Decoded height in pixels. */
  height: number;
  /** Decoded width in pixels. */
  width: number;
  /** Class index, 1 to N for N classes; 0 is the unused background class. */
  label: number;
  /** Class name, the line of the labels file. */
  text: string;
  /** Base name of the source image file. */
  filename: string;
  /** ImageNet synset such as `n01440764`; when set, adds `image/class/synset` as `build_imagenet_data.py` does. */
  synset?: string;
  /**
   * ImageNet boxes; when set, adds the `image/object/bbox/*` features, with empty lists for an
   * empty array, and `image/object/bbox/label` repeating the label for each box.
   */
  boxes?: BoundingBox[];
}

/** Fields of a parsed image Example. */
export interface ImageExample extends ImageExampleInput {
  colorspace: string;
  channels: number;
  format: string;
}

/** Values that `build_image_data.py` writes for every image. */
export const IMAGE_COLORSPACE = 'RGB';
export const IMAGE_CHANNELS = 3;
export const IMAGE_FORMAT = 'JPEG';

const utf8 = new TextDecoder();

/**
 * Builds the features that `build_image_data.py` writes for one image, in its key order. With
 * `synset` or `boxes` the result has the extra keys of `build_imagenet_data.py`.
 */
export function buildImageExample(input: ImageExampleInput): FeatureMap {
  requirePositiveInteger('height', input.height);
  requirePositiveInteger('width', input.width);
  if (!Number.isSafeInteger(input.label) || input.label < 0) {
    throw new RangeError(`buildImageExample: label must be a non-negative integer, got ${input.label}`);
  }

  const features: FeatureMap = {
    'image/height': int64Feature(input.height),
    'image/width': int64Feature(input.width),
    'image/colorspace': bytesFeature(IMAGE_COLORSPACE),
    'image/channels': int64Feature(IMAGE_CHANNELS),
    'image/class/label': int64Feature(input.label),
  };
  if (input.synset !== undefined) {
    features['image/class/synset'] = bytesFeature(input.synset);
  }
  features['image/class/text'] = bytesFeature(input.text);
  if (input.boxes !== undefined) {
    const boxes = input.boxes;
    features['image/object/bbox/xmin'] = floatFeature(...boxes.map((box) => box.xmin));
    features['image/object/bbox/xmax'] = floatFeature(...boxes.map((box) => box.xmax));
    features['image/object/bbox/ymin'] = floatFeature(...boxes.map((box) => box.ymin));
    features['image/object/bbox/ymax'] = floatFeature(...boxes.map((box) => box.ymax));
    features['image/object/bbox/label'] = int64Feature(...boxes.map(() => input.label));
  }
  features['image/format'] = bytesFeature(IMAGE_FORMAT);
  features['image/filename'] = bytesFeature(input.filename);
  features['image/encoded'] = bytesFeature(input.encoded);
  return features;
}

/** Serializes the Example of {@link buildImageExample}. */
export function encodeImageExample(input: ImageExampleInput): Uint8Array {
  return encodeExample(buildImageExample(input));
}

/**
 * Parses an image Example written by `build_image_data.py` or `build_imagenet_data.py`. Throws
 * when a required feature is missing, has another kind, or does not hold exactly one value.
 * `synset` and `boxes` are set only when the Example has those features.
 */
export function parseImageExample(bytes: Uint8Array): ImageExample {
  const features = decodeExample(bytes);

  const parsed: ImageExample = {
    encoded: singleBytes(features, 'image/encoded'),
    height: singleInt(features, 'image/height'),
    width: singleInt(features, 'image/width'),
    label: singleInt(features, 'image/class/label'),
    text: utf8.decode(singleBytes(features, 'image/class/text')),
    filename: utf8.decode(singleBytes(features, 'image/filename')),
    colorspace: utf8.decode(singleBytes(features, 'image/colorspace')),
    channels: singleInt(features, 'image/channels'),
    format: utf8.decode(singleBytes(features, 'image/format')),
  };
  if (features['image/class/synset'] !== undefined) {
    parsed.synset = utf8.decode(singleBytes(features, 'image/class/synset'));
  }
  const boxes = parseBoxes(features);
  if (boxes !== undefined) {
    parsed.boxes = boxes;
  }
  return parsed;
}

function parseBoxes(features: FeatureMap): BoundingBox[] | undefined {
  const keys = ['xmin', 'ymin', 'xmax', 'ymax'] as const;
  const present = keys.filter((key) => features[`image/object/bbox/${key}`] !== undefined);
  if (present.length === 0) {
    return undefined;
  }

  const [xmin, ymin, xmax, ymax] = keys.map((key) => floatList(features, `image/object/bbox/${key}`));
  if (ymin.length !== xmin.length || xmax.length !== xmin.length || ymax.length !== xmin.length) {
    throw new Error(
      `image Example box lists differ in length: xmin ${xmin.length}, ymin ${ymin.length}, ` +
        `xmax ${xmax.length}, ymax ${ymax.length}`,
    );
  }
  return xmin.map((_, i) => ({ xmin: xmin[i], ymin: ymin[i], xmax: xmax[i], ymax: ymax[i] }));
}

function requireFeature<K extends FeatureValue['kind']>(
  features: FeatureMap,
  key: string,
  kind: K,
): Extract<FeatureValue, { kind: K }> {
  const feature = features[key];
  if (feature === undefined) {
    throw new Error(`image Example has no feature "${key}"`);
  }
  if (feature.kind !== kind) {
    throw new Error(`image Example feature "${key}" has kind ${feature.kind}, expected ${kind}`);
  }
  return feature as Extract<FeatureValue, { kind: K }>;
}

function requireSingle<T>(key: string, values: T[]): T {
  if (values.length !== 1) {
    throw new Error(`image Example feature "${key}" has ${values.length} values, expected 1`);
  }
  return values[0];
}

function singleBytes(features: FeatureMap, key: string): Uint8Array {
  return requireSingle(key, requireFeature(features, key, 'bytes_list').values);
}

function singleInt(features: FeatureMap, key: string): number {
  const value = requireSingle(key, requireFeature(features, key, 'int64_list').values);
  if (typeof value === 'bigint') {
    throw new RangeError(`image Example feature "${key}" is ${value}, beyond the safe integer range`);
  }
  return value;
}

function floatList(features: FeatureMap, key: string): number[] {
  return requireFeature(features, key, 'float_list').values;
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`buildImageExample: ${name} must be a positive integer, got ${value}`);
  }
}
