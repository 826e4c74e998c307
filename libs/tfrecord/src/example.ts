import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { tensorflow } from '@inception/proto';

import { encodeExampleBytes } from './example-encoding.js';

export { DEFAULT_MIN_REFERENCED_BYTES, encodeExampleParts } from './example-encoding.js';
import { fromFeatureMessage, fromFeaturesMessage, toFeatureMessage, toFeaturesMessage, type FeatureMap, type FeatureValue } from './feature.js';

/** Contents of a `tf.train.SequenceExample`: per-example context and per-step feature lists. */
export interface SequenceExampleValue {
  context: FeatureMap;
  featureLists: Record<string, FeatureValue[]>;
}

/**
 * Serializes a `tf.train.Example`. Map entries are written in the key order of `features`;
 * TensorFlow's writers may order them differently, so compare Examples by decoding them.
 */
export function encodeExample(features: FeatureMap): Uint8Array {
  return encodeExampleBytes(features);
}

/** Parses a serialized `tf.train.Example`. Features present with an empty list keep their kind. */
export function decodeExample(bytes: Uint8Array): FeatureMap {
  return fromFeaturesMessage(fromBinary(tensorflow.ExampleSchema, bytes).features);
}

/** Serializes a `tf.train.SequenceExample`. */
export function encodeSequenceExample(value: SequenceExampleValue): Uint8Array {
  const featureList: Record<string, tensorflow.FeatureList> = {};
  for (const [name, steps] of Object.entries(value.featureLists)) {
    featureList[name] = create(tensorflow.FeatureListSchema, {
      feature: steps.map((step, i) => toFeatureMessage(`${name}[${i}]`, step)),
    });
  }

  const sequenceExample = create(tensorflow.SequenceExampleSchema, {
    context: toFeaturesMessage(value.context),
    featureLists: create(tensorflow.FeatureListsSchema, { featureList }),
  });
  return toBinary(tensorflow.SequenceExampleSchema, sequenceExample);
}

/** Parses a serialized `tf.train.SequenceExample`. */
export function decodeSequenceExample(bytes: Uint8Array): SequenceExampleValue {
  const message = fromBinary(tensorflow.SequenceExampleSchema, bytes);

  const featureLists: Record<string, FeatureValue[]> = {};
  for (const [name, list] of Object.entries(message.featureLists?.featureList ?? {})) {
    featureLists[name] = list.feature.map((step, i) => fromFeatureMessage(`${name}[${i}]`, step));
  }
  return { context: fromFeaturesMessage(message.context), featureLists };
}
