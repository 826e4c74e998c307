import * as tf from '@tensorflow/tfjs';

import { assertAssignable, assertUniqueNames, type NamedVariable } from './named-variable.js';

export interface RmsPropOptions {
  /** Decay of the mean-square slot per step. Default 0.9. */
  decay?: number;
  /** Momentum factor. Default 0.9. */
  momentum?: number;
  /** Added to the mean square inside the square root. Default 1.0. */
  epsilon?: number;
}

interface Slots {
  variable: tf.Variable;
  meanSquare: tf.Variable;
  momentum: tf.Variable;
}

/** Checkpoint-name suffix of the mean-square slot, which TensorFlow 1 creates first, as `RMSProp`. */
export const MEAN_SQUARE_SLOT_SUFFIX = '/RMSProp';

/** Checkpoint-name suffix of the momentum slot, created second and so uniquified to `RMSProp_1`. */
export const MOMENTUM_SLOT_SUFFIX = '/RMSProp_1';

/**
 * RMSProp with momentum as TensorFlow 1's `tf.train.RMSPropOptimizer` applies it, per variable:
 *
 *   ms  ← decay·ms + (1 − decay)·g²
 *   mom ← momentum·mom + learningRate·g / sqrt(ms + epsilon)
 *   w   ← w − mom
 *
 * The mean-square slot starts at ones and the momentum slot at zeros. tfjs's own
 * `tf.train.rmsprop` starts the mean square at zeros, which makes the first steps far larger.
 * Slots are created for every variable at construction, so `getSlots` is complete from the start.
 */
export class RmsPropOptimizer {
  readonly decay: number;
  readonly momentum: number;
  readonly epsilon: number;
  private readonly slotsByName = new Map<string, Slots>();

  constructor(variables: readonly NamedVariable[], options: RmsPropOptions = {}) {
    this.decay = options.decay ?? 0.9;
    this.momentum = options.momentum ?? 0.9;
    this.epsilon = options.epsilon ?? 1.0;
    if (!(this.decay >= 0 && this.decay < 1)) {
      throw new RangeError(`RmsPropOptimizer: decay ${this.decay} is invalid. It must be in [0, 1)`);
    }
    if (!(this.momentum >= 0 && this.momentum < 1)) {
      throw new RangeError(`RmsPropOptimizer: momentum ${this.momentum} is invalid. It must be in [0, 1)`);
    }
    if (!(this.epsilon > 0)) {
      throw new RangeError(`RmsPropOptimizer: epsilon ${this.epsilon} is invalid. It must be above 0`);
    }
    assertUniqueNames('RmsPropOptimizer', variables);

    for (const { name, variable } of variables) {
      const meanSquare = tf.tidy(() => tf.variable(tf.onesLike(variable), false));
      const momentum = tf.tidy(() => tf.variable(tf.zerosLike(variable), false));
      this.slotsByName.set(name, { variable, meanSquare, momentum });
    }
  }

  /** Names of the variables this optimizer updates, in construction order. */
  get variableNames(): string[] {
    return [...this.slotsByName.keys()];
  }

  /**
   * Applies one update with the given learning rate. `gradients` is keyed by variable name. A
   * variable without a gradient keeps its value and slots, as in TensorFlow.
   * Throws on a gradient for an unknown name or of the wrong shape, before anything changes.
   */
  applyGradients(gradients: Readonly<Record<string, tf.Tensor | null | undefined>>, learningRate: number): void {
    if (!(Number.isFinite(learningRate) && learningRate >= 0)) {
      throw new RangeError(`RmsPropOptimizer: learningRate ${learningRate} is invalid. It must be a number of at least 0`);
    }
    const updates: Array<[Slots, tf.Tensor]> = [];
    for (const [name, gradient] of Object.entries(gradients)) {
      const slots = this.slotsByName.get(name);
      if (slots === undefined) {
        throw new Error(`RmsPropOptimizer: gradient for unknown variable ${name}`);
      }
      if (gradient == null) {
        continue;
      }
      if (gradient.shape.join(',') !== slots.variable.shape.join(',')) {
        throw new Error(
          `RmsPropOptimizer: gradient for ${name} has shape [${gradient.shape.join(', ')}] ` +
            `but the variable is [${slots.variable.shape.join(', ')}]`,
        );
      }
      updates.push([slots, gradient]);
    }

    tf.tidy(() => {
      for (const [slots, gradient] of updates) {
        const meanSquare = tf.add(tf.mul(slots.meanSquare, this.decay), tf.mul(tf.square(gradient), 1 - this.decay));
        const step = tf.div(tf.mul(gradient, learningRate), tf.sqrt(tf.add(meanSquare, this.epsilon)));
        const momentum = tf.add(tf.mul(slots.momentum, this.momentum), step);

        slots.meanSquare.assign(meanSquare);
        slots.momentum.assign(momentum);
        slots.variable.assign(tf.sub(slots.variable, momentum));
      }
    });
  }

  /**
   * Returns the live slot variables keyed `<variable>/RMSProp` (mean square) and
   * `<variable>/RMSProp_1` (momentum). Read them with `data()` before the next update, and do not
   * dispose them.
   */
  getSlots(): tf.NamedTensorMap {
    const slots: tf.NamedTensorMap = {};
    for (const [name, { meanSquare, momentum }] of this.slotsByName) {
      slots[name + MEAN_SQUARE_SLOT_SUFFIX] = meanSquare;
      slots[name + MOMENTUM_SLOT_SUFFIX] = momentum;
    }
    return slots;
  }

  /**
   * Assigns slot values keyed as `getSlots` returns them. Throws, before assigning anything, on an
   * unknown key or a missing one unless `allowMissing` is set, and on a dtype or shape mismatch.
   * The optimizer keeps a reference to each tensor's data, so the caller may dispose its tensors.
   */
  setSlots(slots: tf.NamedTensorMap, options: { allowMissing?: boolean } = {}): void {
    const expected = this.getSlots();
    for (const key of Object.keys(slots)) {
      if (!(key in expected)) {
        throw new Error(`RmsPropOptimizer.setSlots: unknown slot ${key}`);
      }
    }
    const missing = Object.keys(expected).filter((key) => !(key in slots));
    if (missing.length > 0 && options.allowMissing !== true) {
      throw new Error(`RmsPropOptimizer.setSlots: ${missing.length} slots are missing, the first is ${missing[0]}`);
    }

    for (const [key, value] of Object.entries(slots)) {
      assertAssignable('RmsPropOptimizer.setSlots', key, expected[key] as tf.Variable, value);
    }

    for (const [key, value] of Object.entries(slots)) {
      (expected[key] as tf.Variable).assign(value);
    }
  }

  /** Disposes the slot variables, but not the optimized variables, which belong to the caller. */
  dispose(): void {
    for (const { meanSquare, momentum } of this.slotsByName.values()) {
      meanSquare.dispose();
      momentum.dispose();
    }
    this.slotsByName.clear();
  }
}
