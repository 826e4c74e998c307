import * as tf from '@tensorflow/tfjs';

import { describeError } from './backend-error.js';

/** tfjs-node package to load. Both packages register their backend as `tensorflow`. */
export type NodeBackendPackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';

/** Outcome of loading a tfjs-node package. */
export interface NodeBackendLoad {
  /** True when libtensorflow placed ops on a GPU, false when it runs them on the CPU. */
  usesGpuDevice: boolean;
}

/**
 * Imports a tfjs-node package and makes its `tensorflow` backend the active one.
 *
 * Throws an `Error` that states the cause when the package is missing, its
 * native binding fails to load (any error, not only MODULE_NOT_FOUND), or
 * the backend does not initialise.
 *
 * NOTE: only the missing-package path has run on the machine this was
 * written on, because libtensorflow cannot be downloaded there.
 */
export async function loadNodeBackend(packageName: NodeBackendPackage): Promise<NodeBackendLoad> {
  // A specifier in a variable keeps TypeScript and bundlers from resolving a
  // package that is an optional dependency and often absent.
  const specifier: string = packageName;
  try {
    await import(specifier);
  } catch (error) {
    throw new Error(`import failed: ${describeError(error)}`, { cause: error });
  }

  if (!(await tf.setBackend('tensorflow'))) {
    throw new Error(
      "tf.setBackend('tensorflow') returned false (tfjs logged the cause as a warning)",
    );
  }
  const backend = tf.backend();
  if (!(backend instanceof tf.KernelBackend)) {
    throw new Error(
      `${packageName} uses a second copy of @tensorflow/tfjs-core, so ` +
        'deduplicate @tensorflow/tfjs so that every package resolves the same one',
    );
  }

  // tfjs-node backends expose this flag from the native binding.
  const usesGpuDevice = (backend as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true;
  return { usesGpuDevice };
}
