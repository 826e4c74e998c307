import type * as tf from '@tensorflow/tfjs';

import type { InceptionV3Config } from './config.js';
import { inceptionV3ConfigOf } from './model.js';
import { listModelVariables, type ModelVariable } from './model-variables.js';
import { ExponentialMovingAverage, MOVING_AVERAGE_DECAY } from './moving-average.js';
import { assertAssignable } from './named-variable.js';
import { RmsPropOptimizer, type RmsPropOptions } from './rmsprop.js';

export interface TrainingStateOptions {
  /** Defaults: decay 0.9, momentum 0.9, epsilon 1.0. */
  rmsProp?: RmsPropOptions;
  /** Decay of the variable averages used for evaluation. Default 0.9999. */
  movingAverageDecay?: number;
}

export interface CheckpointRestoreResult {
  /** State names that received a value. */
  restoredNames: string[];
  /** State names the tensors did not contain, which keep their values. */
  missingNames: string[];
  /** Tensor names that match no state, such as `global_step`. */
  unusedNames: string[];
}

/**
 * Everything a training run of `buildInceptionV3` changes: the model variables, the RMSProp slots
 * of the trainable ones and the moving averages of all of them (trainable variables and batch-norm
 * moving statistics, as research/inception averages both). The global step stays with the caller.
 */
export class TrainingState {
  readonly config: InceptionV3Config;
  /** Every model variable under its research/inception name. */
  readonly variables: readonly ModelVariable[];
  readonly trainableVariables: readonly ModelVariable[];
  /** The convolution and fully connected weights, which the L2 loss covers. */
  readonly regularizedVariables: readonly ModelVariable[];
  readonly optimizer: RmsPropOptimizer;
  readonly movingAverage: ExponentialMovingAverage;

  /**
   * Creates the optimizer slots and the shadows, which start at the model's current values.
   * Throws when `model` was not built by `buildInceptionV3`.
   */
  constructor(
    readonly model: tf.LayersModel,
    options: TrainingStateOptions = {},
  ) {
    const config = inceptionV3ConfigOf(model);
    if (config === undefined) {
      throw new Error(`TrainingState: model ${model.name} was not built by buildInceptionV3`);
    }
    this.config = config;
    this.variables = listModelVariables(model);
    this.trainableVariables = this.variables.filter((entry) => entry.trainable);
    this.regularizedVariables = this.variables.filter((entry) => entry.role === 'weights');

    this.optimizer = new RmsPropOptimizer(this.trainableVariables, options.rmsProp);
    this.movingAverage = new ExponentialMovingAverage(this.variables, {
      decay: options.movingAverageDecay ?? MOVING_AVERAGE_DECAY,
    });
  }

  /**
   * Returns every state tensor under its TensorFlow checkpoint name: model variables
   * (`conv0/weights`), RMSProp slots (`conv0/weights/RMSProp`, `…/RMSProp_1`) and shadows
   * (`conv0/weights/ExponentialMovingAverage`). These are the live variables: read them with
   * `data()` before the next training step and do not dispose them.
   */
  getCheckpointTensors(): tf.NamedTensorMap {
    const tensors: tf.NamedTensorMap = {};
    for (const { name, variable } of this.variables) {
      tensors[name] = variable;
    }
    return { ...tensors, ...this.optimizer.getSlots(), ...this.movingAverage.getShadows() };
  }

  /**
   * Assigns the tensors whose names `getCheckpointTensors` uses and reports what matched. Pass a
   * subset to fine-tune, for example everything but `logits/logits/*` and `aux_logits/FC/*` when
   * the class count changes. Throws, before assigning anything, on a dtype or shape mismatch.
   * The state keeps references to the tensors' data, so the caller may dispose its tensors.
   */
  restoreCheckpointTensors(tensors: tf.NamedTensorMap): CheckpointRestoreResult {
    if (this.movingAverage.isShadowAssigned) {
      throw new Error('TrainingState.restoreCheckpointTensors: the moving averages are assigned to the model. Call movingAverage.restoreVariables() first');
    }
    const targets = this.getCheckpointTensors();
    const restoredNames = Object.keys(tensors).filter((name) => name in targets);
    const unusedNames = Object.keys(tensors).filter((name) => !(name in targets));
    const missingNames = Object.keys(targets).filter((name) => !(name in tensors));

    for (const name of restoredNames) {
      assertAssignable('TrainingState.restoreCheckpointTensors', name, targets[name] as tf.Variable, tensors[name]);
    }
    for (const name of restoredNames) {
      (targets[name] as tf.Variable).assign(tensors[name]);
    }
    return { restoredNames, missingNames, unusedNames };
  }

  /** Disposes the slots, the shadows and the model. */
  dispose(): void {
    this.optimizer.dispose();
    this.movingAverage.dispose();
    this.model.dispose();
  }
}
