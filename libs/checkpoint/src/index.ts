export { bytesSource, localFileSystem, memoryFileSystem, openFileSource, type ByteSource, type CheckpointFileSystem } from './byte-source.js';
export { openCheckpoint, readCheckpoint, type Checkpoint, type CheckpointFormat, type OpenCheckpointOptions } from './checkpoint.js';
export { parseCheckpointState, type CheckpointState } from './checkpoint-state.js';
export { CheckpointError, type CheckpointCheck, type CheckpointErrorDetails } from './errors.js';
export { BundleReader, bundleDataFileName } from './bundle-reader.js';
export { TensorSliceReader } from './slice-reader.js';
export { SSTableReader } from './sstable/table-reader.js';
export { SSTableBuilder, type SSTableBuilderOptions } from './sstable/table-builder.js';
export type { TableEntry } from './sstable/block.js';
export { decodeTensorNameSlice, encodeTensorNameSlice } from './ordered-code.js';
export { elementCount, FULL_EXTENT, fullSlice, sliceShape, type SliceExtent, type TensorSlice } from './slices.js';
export {
  DATA_TYPE_NAMES,
  dataTypeName,
  int64ValuesToNumbers,
  isDecodedDType,
  sumTensorValues,
  type CheckpointDType,
  type CheckpointTensor,
  type CheckpointTensorInfo,
  type TensorValuesByDType,
} from './tensor.js';
export * from './native/trainer-checkpoint.js';
export * from './native/load-version.js';
export {
  expectedVariablesOf,
  MOVING_AVERAGE_SUFFIX,
  type CheckpointMapping,
  type ExpectedVariable,
  type MapCheckpointOptions,
  type MappedTensor,
  type NamedShape,
  type NamedTensors,
  type ShapeMismatch,
} from './mapping/map-tensors.js';
export { mapResearchCheckpoint } from './mapping/research.js';
export { mapSlimCheckpoint, translateSlimVariable } from './mapping/slim.js';
