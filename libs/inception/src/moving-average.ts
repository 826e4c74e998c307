import * as tf from '@tensorflow/tfjs';

import { assertAssignable, assertUniqueNames, type NamedVariable } from './named-variable.js';

/** Decay of the variable averages in research/inception. */
export const MOVING_AVERAGE_DECAY = 0.9999;

/** Checkpoint-name suffix of a shadow variable, as TensorFlow names it. */
export const SHADOW_SUFFIX = '/ExponentialMovingAverage';

/**
 * Returns the decay TensorFlow's ExponentialMovingAverage uses when given the number of updates:
 * min(decay, (1 + step) / (10 + step)), so 0.1 at step 0, 0.55 at step 10 and `decay` from
 * step 89,990 on with the default 0.9999.
 */
export function effectiveDecayAt(step: number, decay: number = MOVING_AVERAGE_DECAY): number {
  if (!(Number.isInteger(step) && step >= 0)) {
    throw new RangeError(`effectiveDecayAt: step ${step} is invalid. It must be an integer of at least 0`);
  }
  return Math.min(decay, (1 + step) / (10 + step));
}

interface Averaged {
  variable: tf.Variable;
  shadow: tf.Variable;
  /** The variable's own value while the shadow is assigned to it. */
  saved: tf.Tensor | undefined;
}

/**
 * Exponential moving averages ("shadows") of a list of variables, as TensorFlow 1's
 * `tf.train.ExponentialMovingAverage(decay, num_updates=global_step)` keeps them:
 * shadow ← shadow − (1 − d)·(shadow − variable) with d = `effectiveDecayAt(step, decay)`.
 *
 * research/inception averages every trainable variable and the batch-norm moving statistics, and
 * evaluates with the shadows in place of the variables. Shadows start as copies of the variables'
 * values at construction, so construct this before restoring pretrained weights to match
 * TensorFlow, whose shadows start at the variables' initializers.
 */
export class ExponentialMovingAverage {
  readonly decay: number;
  private readonly averagedByName = new Map<string, Averaged>();
  private shadowsAssigned = false;

  constructor(variables: readonly NamedVariable[], options: { decay?: number } = {}) {
    this.decay = options.decay ?? MOVING_AVERAGE_DECAY;
    if (!(this.decay >= 0 && this.decay <= 1)) {
      throw new RangeError(`ExponentialMovingAverage: decay ${this.decay} is invalid. It must be in [0, 1]`);
    }
    assertUniqueNames('ExponentialMovingAverage', variables);

    for (const { name, variable } of variables) {
      const shadow = tf.tidy(() => tf.variable(tf.clone(variable), false));
      this.averagedByName.set(name, { variable, shadow, saved: undefined });
    }
  }

  /** Whether `assignShadowsToVariables` is in effect. */
  get isShadowAssigned(): boolean {
    return this.shadowsAssigned;
  }

  /** Moves every shadow towards its variable. `step` is the global step before this training step's increment. */
  apply(step: number): void {
    if (this.shadowsAssigned) {
      throw new Error('ExponentialMovingAverage.apply: the shadows are assigned to the variables. Call restoreVariables() first');
    }
    const decay = effectiveDecayAt(step, this.decay);

    tf.tidy(() => {
      for (const { variable, shadow } of this.averagedByName.values()) {
        shadow.assign(tf.sub(shadow, tf.mul(tf.sub(shadow, variable), 1 - decay)));
      }
    });
  }

  /**
   * Assigns each shadow to its variable, for evaluation with averaged weights, and keeps the
   * variables' values until `restoreVariables`. Throws if the shadows are already assigned.
   */
  assignShadowsToVariables(): void {
    if (this.shadowsAssigned) {
      throw new Error('ExponentialMovingAverage.assignShadowsToVariables: the shadows are already assigned');
    }
    for (const averaged of this.averagedByName.values()) {
      // A clone shares the data, so saving a value copies nothing.
      averaged.saved = tf.keep(tf.clone(averaged.variable));
      averaged.variable.assign(averaged.shadow);
    }
    this.shadowsAssigned = true;
  }

  /** Gives the variables back the values `assignShadowsToVariables` saved. Does nothing if none are saved. */
  restoreVariables(): void {
    for (const averaged of this.averagedByName.values()) {
      if (averaged.saved !== undefined) {
        averaged.variable.assign(averaged.saved);
        averaged.saved.dispose();
        averaged.saved = undefined;
      }
    }
    this.shadowsAssigned = false;
  }

  /** Runs `evaluate` with the shadows assigned to the variables and restores the variables afterwards, also on error. */
  async withShadowsAssigned<T>(evaluate: () => T | Promise<T>): Promise<T> {
    this.assignShadowsToVariables();
    try {
      return await evaluate();
    } finally {
      this.restoreVariables();
    }
  }

  /**
   * Returns the live shadow variables keyed `<variable>/ExponentialMovingAverage`. Read them with
   * `data()` before the next `apply`, and do not dispose them.
   */
  getShadows(): tf.NamedTensorMap {
    const shadows: tf.NamedTensorMap = {};
    for (const [name, { shadow }] of this.averagedByName) {
      shadows[name + SHADOW_SUFFIX] = shadow;
    }
    return shadows;
  }

  /**
   * Assigns shadow values keyed as `getShadows` returns them. Throws, before assigning anything, on
   * an unknown key or a missing one unless `allowMissing` is set, and on a dtype or shape mismatch.
   */
  setShadows(shadows: tf.NamedTensorMap, options: { allowMissing?: boolean } = {}): void {
    const expected = this.getShadows();
    for (const key of Object.keys(shadows)) {
      if (!(key in expected)) {
        throw new Error(`ExponentialMovingAverage.setShadows: unknown shadow ${key}`);
      }
      assertAssignable('ExponentialMovingAverage.setShadows', key, expected[key] as tf.Variable, shadows[key]);
    }
    const missing = Object.keys(expected).filter((key) => !(key in shadows));
    if (missing.length > 0 && options.allowMissing !== true) {
      throw new Error(`ExponentialMovingAverage.setShadows: ${missing.length} shadows are missing, the first is ${missing[0]}`);
    }

    for (const [key, value] of Object.entries(shadows)) {
      (expected[key] as tf.Variable).assign(value);
    }
  }

  /** Disposes the shadows and any saved values, but not the averaged variables, which belong to the caller. */
  dispose(): void {
    this.restoreVariables();
    for (const { shadow } of this.averagedByName.values()) {
      shadow.dispose();
    }
    this.averagedByName.clear();
  }
}
