import * as tf from '@tensorflow/tfjs';

/**
 * Makes the pure JavaScript `cpu` backend the active one, without the advert for
 * `@tensorflow/tfjs-node` that it prints in Node.
 *
 * tfjs-backend-cpu 4.22 prints "Hi, looks like you are running TensorFlow.js in
 * Node.js…" through tfjs-core's `log.warn` when it stores its first tensor in a
 * process. tfjs-core's `PROD` flag mutes `log.warn`, and in tfjs 4.22 on Node it
 * changes nothing else (its other use is WebGL paging). So the flag is set only
 * while one scalar is stored, then restored, and every later warning prints.
 */
export async function loadCpuBackend(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) {
    throw new Error("tf.setBackend('cpu') returned false (tfjs logged the cause as a warning)");
  }

  const flags = tf.env();
  const prodBefore = flags.getBool('PROD');
  flags.set('PROD', true);
  try {
    tf.scalar(0).dispose();
  } finally {
    flags.set('PROD', prodBefore);
  }
}
