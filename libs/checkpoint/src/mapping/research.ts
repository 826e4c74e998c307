import { mapTensors, type CheckpointMapping, type MapCheckpointOptions, type NamedShape } from './map-tensors.js';

/**
 * Maps a research/inception checkpoint, such as `inception-v3-2016-03-01`'s `model.ckpt-157585`,
 * to the model of @inception/inception. The model uses research/inception's variable names
 * (`conv0/weights`, `mixed_35x35x256a/branch5x5/Conv_1/weights`, `logits/logits/biases`), so
 * names pass through unchanged. With `useAverages`, `<name>/ExponentialMovingAverage` supplies
 * `<name>`. Optimizer slots (`…/RMSProp`, `…/RMSProp_1`) and `global_step` are left unmapped.
 */
export function mapResearchCheckpoint<T extends NamedShape>(tensors: readonly T[], options: MapCheckpointOptions): CheckpointMapping<T> {
  return mapTensors(tensors, options, (name) => ({ name }));
}
