import * as tf from '@tensorflow/tfjs';

/** Logits [batch, numClasses] as a tensor, or as row-major values with the class count. */
export type LogitsInput = tf.Tensor2D | { values: ArrayLike<number>; numClasses: number };

/**
 * Returns, per example, whether its label is among the k largest logits, as TensorFlow's `in_top_k`
 * decides it. A label is a hit when fewer than k logits are strictly greater than its logit, so ties
 * at the k-th place count as hits. A row with a NaN or infinite logit is a miss.
 * Throws when a label is not an integer in [0, numClasses), as early TensorFlow did.
 */
export function inTopK(logits: LogitsInput, labels: ArrayLike<number>, k: number): boolean[] {
  const { values, numClasses } = logitValues(logits);
  if (!(Number.isInteger(k) && k >= 1)) {
    throw new RangeError(`inTopK: k ${k} is invalid. It must be an integer of at least 1`);
  }
  const batchSize = values.length / numClasses;
  if (labels.length !== batchSize) {
    throw new RangeError(`inTopK: ${labels.length} labels for a batch of ${batchSize} logit rows`);
  }

  const hits: boolean[] = [];
  for (let row = 0; row < batchSize; row += 1) {
    const label = labels[row];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new RangeError(`inTopK: label ${label} at batch index ${row} is out of range for ${numClasses} logits`);
    }
    hits.push(isInTopK(values, row * numClasses, numClasses, label, k));
  }
  return hits;
}

/** Returns the fraction of examples whose label is in the top k (precision@1 for k = 1, recall@5 for k = 5). */
export function topKAccuracy(logits: LogitsInput, labels: ArrayLike<number>, k: number): number {
  const hits = inTopK(logits, labels, k);
  if (hits.length === 0) {
    return 0;
  }
  return hits.filter(Boolean).length / hits.length;
}

/** Returns the index of the largest logit per example. The lowest index wins a tie, as in argmax. */
export function predictedClasses(logits: LogitsInput): Int32Array {
  const { values, numClasses } = logitValues(logits);
  const batchSize = values.length / numClasses;

  const predictions = new Int32Array(batchSize);
  for (let row = 0; row < batchSize; row += 1) {
    let best = 0;
    for (let column = 1; column < numClasses; column += 1) {
      if (values[row * numClasses + column] > values[row * numClasses + best]) {
        best = column;
      }
    }
    predictions[row] = best;
  }
  return predictions;
}

/** Counts of (label, predicted class) pairs, accumulated over evaluation batches. */
export class ConfusionMatrix {
  /** counts[label][predicted] */
  readonly counts: number[][];

  constructor(readonly numClasses: number) {
    if (!(Number.isInteger(numClasses) && numClasses >= 1)) {
      throw new RangeError(`ConfusionMatrix: numClasses ${numClasses} is invalid. It must be an integer of at least 1`);
    }
    this.counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }

  /** Adds one batch of labels and predicted classes of the same length. */
  add(labels: ArrayLike<number>, predicted: ArrayLike<number>): void {
    if (labels.length !== predicted.length) {
      throw new RangeError(`ConfusionMatrix.add: ${labels.length} labels but ${predicted.length} predictions`);
    }
    for (let index = 0; index < labels.length; index += 1) {
      this.counts[this.classIndex('label', labels[index], index)][this.classIndex('prediction', predicted[index], index)] += 1;
    }
  }

  /** Number of examples added so far. */
  get totalCount(): number {
    return this.counts.reduce((total, row) => total + row.reduce((sum, count) => sum + count, 0), 0);
  }

  /** Returns per label the fraction of its examples predicted as that label, or NaN for a label never seen. */
  perClassRecall(): number[] {
    return this.counts.map((row, label) => row[label] / row.reduce((sum, count) => sum + count, 0));
  }

  private classIndex(kind: string, value: number, index: number): number {
    if (!Number.isInteger(value) || value < 0 || value >= this.numClasses) {
      throw new RangeError(`ConfusionMatrix.add: ${kind} ${value} at index ${index} is out of range for ${this.numClasses} classes`);
    }
    return value;
  }
}

function isInTopK(values: ArrayLike<number>, offset: number, numClasses: number, label: number, k: number): boolean {
  const target = values[offset + label];
  if (!Number.isFinite(target)) {
    return false;
  }
  let greaterCount = 0;
  for (let column = 0; column < numClasses; column += 1) {
    const value = values[offset + column];
    if (!Number.isFinite(value)) {
      return false;
    }
    if (value > target) {
      greaterCount += 1;
    }
  }
  return greaterCount < k;
}

function logitValues(logits: LogitsInput): { values: ArrayLike<number>; numClasses: number } {
  if (logits instanceof tf.Tensor) {
    if (logits.rank !== 2) {
      throw new RangeError(`logits must be [batch, numClasses] but have shape [${logits.shape.join(', ')}]`);
    }
    return { values: logits.dataSync(), numClasses: logits.shape[1] };
  }
  if (!(Number.isInteger(logits.numClasses) && logits.numClasses >= 1) || logits.values.length % logits.numClasses !== 0) {
    throw new RangeError(`${logits.values.length} logit values do not split into rows of numClasses ${logits.numClasses}`);
  }
  return logits;
}
