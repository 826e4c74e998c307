import type * as tf from '@tensorflow/tfjs';

/** A variable with its checkpoint name, such as `conv0/weights`. `ModelVariable` is one. */
export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

/** Throws when two variables share a name, because slots and shadows are keyed by it. */
export function assertUniqueNames(owner: string, variables: readonly NamedVariable[]): void {
  const seen = new Set<string>();
  for (const { name } of variables) {
    if (seen.has(name)) {
      throw new Error(`${owner}: variable name ${name} appears twice`);
    }
    seen.add(name);
  }
}

/** Throws when `value` cannot be assigned to the variable called `name`, naming both shapes or dtypes. */
export function assertAssignable(owner: string, name: string, target: tf.Variable, value: tf.Tensor): void {
  if (value.dtype !== target.dtype) {
    throw new Error(`${owner}: ${name} has dtype ${value.dtype} but the variable is ${target.dtype}`);
  }
  if (value.shape.join(',') !== target.shape.join(',')) {
    throw new Error(`${owner}: ${name} has shape [${value.shape.join(', ')}] but the variable is [${target.shape.join(', ')}]`);
  }
}
