export { encodeV1Checkpoint, writeV1Checkpoint, type V1CheckpointOptions } from './v1-writer.js';
export { encodeV2Checkpoint, writeV2Checkpoint, type EncodedBundle, type V2CheckpointOptions } from './v2-writer.js';
export { splitIntoSlices, type WritableTensor } from './writable-tensor.js';
export { inceptionV3VariablePairs, type InceptionV3VariableOptions, type InceptionV3VariablePair } from './inception-v3-variables.js';
export { randomFloats, syntheticTensors, type SyntheticTensorOptions } from './synthetic.js';
