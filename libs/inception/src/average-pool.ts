import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface SameAveragePoolArgs extends LayerArgs {
  /** Odd window height and width. Default 3. */
  poolSize?: number;
}

/**
 * Average pool with stride 1 and SAME padding that divides every window by its number of valid
 * (unpadded) inputs, as TensorFlow does, in the forward pass and in the gradient.
 *
 * tfjs 4.22's own `avgPool(x, k, 1, 'same')` has the right forward values, but its cpu
 * `AvgPoolGrad` kernel divides every window by k² even where the window overlaps the padding,
 * which understates the gradient at the border. This layer zero-pads explicitly, pools VALID
 * (whose gradient is exact) and rescales each output by k² / valid-count.
 */
export class SameAveragePool extends tf.layers.Layer {
  static readonly className = 'InceptionSameAveragePool';

  readonly poolSize: number;

  constructor(args: SameAveragePoolArgs = {}) {
    super(args);
    this.poolSize = args.poolSize ?? 3;
    if (!(Number.isInteger(this.poolSize) && this.poolSize >= 1 && this.poolSize % 2 === 1)) {
      throw new RangeError(`SameAveragePool ${this.name}: poolSize ${this.poolSize} is invalid. It must be an odd integer`);
    }
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [, height, width] = x.shape;
      const padding = (this.poolSize - 1) / 2;

      const padded = tf.pad(x, [[0, 0], [padding, padding], [padding, padding], [0, 0]]);
      const meanOverFullWindow = tf.avgPool(padded, this.poolSize, 1, 'valid');
      return tf.mul(meanOverFullWindow, windowScale(height, width, this.poolSize));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), poolSize: this.poolSize };
  }
}

tf.serialization.registerClass(SameAveragePool);

/** Returns k² / (number of valid inputs in the window) per output pixel, shaped [1, height, width, 1]. */
function windowScale(height: number, width: number, poolSize: number): tf.Tensor4D {
  const padding = (poolSize - 1) / 2;
  const validRows = validCounts(height, padding);
  const validColumns = validCounts(width, padding);

  const scale = new Float32Array(height * width);
  for (let row = 0; row < height; row += 1) {
    for (let column = 0; column < width; column += 1) {
      scale[row * width + column] = (poolSize * poolSize) / (validRows[row] * validColumns[column]);
    }
  }
  return tf.tensor4d(scale, [1, height, width, 1]);
}

// Number of positions of a centered window of 2·padding + 1 that fall inside an axis of `length`.
function validCounts(length: number, padding: number): number[] {
  return Array.from({ length }, (_, index) => Math.min(index + padding, length - 1) - Math.max(index - padding, 0) + 1);
}
