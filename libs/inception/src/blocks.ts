import type * as tf from '@tensorflow/tfjs';

import type { InceptionV3Config } from './config.js';
import { avgPool3x3, concatChannels, ConvScope, maxPool3x3Stride2 } from './units.js';

// Depths below are the full-width values, which every convolution scales by depthMultiplier.
// Convolutions are stride 1 with SAME padding unless stated, and branches concatenate in the
// order they are built. A kernel [1, 7] is 1 pixel high and 7 wide.

/**
 * Adds a 35×35 block (`mixed_35x35x256a`, `…288a`, `…288b`): 1×1 | 1×1 → 5×5 | 1×1 → 3×3 → 3×3 |
 * avg pool → 1×1 with `poolDepth` channels, so 224 + poolDepth channels at full width.
 */
export function mixed35x35(
  input: tf.SymbolicTensor,
  scope: string,
  poolDepth: number,
  config: InceptionV3Config,
): tf.SymbolicTensor {
  const branch1x1 = new ConvScope(`${scope}/branch1x1`, config).conv(input, 64, 1);

  const branch5x5Scope = new ConvScope(`${scope}/branch5x5`, config);
  const branch5x5 = branch5x5Scope.conv(branch5x5Scope.conv(input, 48, 1), 64, 5);

  const doubleScope = new ConvScope(`${scope}/branch3x3dbl`, config);
  let branch3x3dbl = doubleScope.conv(input, 64, 1);
  branch3x3dbl = doubleScope.conv(branch3x3dbl, 96, 3);
  branch3x3dbl = doubleScope.conv(branch3x3dbl, 96, 3);

  const poolScope = new ConvScope(`${scope}/branch_pool`, config);
  const branchPool = poolScope.conv(avgPool3x3(input, poolScope.nameOf('AvgPool'), config), poolDepth, 1);

  return concatChannels([branch1x1, branch5x5, branch3x3dbl, branchPool], scope);
}

/**
 * Adds the 35×35 → 17×17 reduction `mixed_17x17x768a`: 3×3/2 | 1×1 → 3×3 → 3×3/2 | max pool /2,
 * 384 + 96 + 288 = 768 channels at full width.
 */
export function mixed17x17Reduction(input: tf.SymbolicTensor, scope: string, config: InceptionV3Config): tf.SymbolicTensor {
  const reduce = { strides: 2, padding: 'valid' } as const;

  const branch3x3 = new ConvScope(`${scope}/branch3x3`, config).conv(input, 384, 3, reduce);

  const doubleScope = new ConvScope(`${scope}/branch3x3dbl`, config);
  let branch3x3dbl = doubleScope.conv(input, 64, 1);
  branch3x3dbl = doubleScope.conv(branch3x3dbl, 96, 3);
  branch3x3dbl = doubleScope.conv(branch3x3dbl, 96, 3, reduce);

  const branchPool = maxPool3x3Stride2(input, `${scope}/branch_pool/MaxPool`);

  return concatChannels([branch3x3, branch3x3dbl, branchPool], scope);
}

/**
 * Adds a 17×17 block (`mixed_17x17x768b` … `e`) with factorized 7×7 convolutions of
 * `innerDepth` channels (128, 160, 160, 192): 1×1 | 1×1 → 1×7 → 7×1 | 1×1 → 7×1 → 1×7 → 7×1 → 1×7 |
 * avg pool → 1×1, 4 × 192 = 768 channels at full width.
 */
export function mixed17x17(
  input: tf.SymbolicTensor,
  scope: string,
  innerDepth: number,
  config: InceptionV3Config,
): tf.SymbolicTensor {
  const branch1x1 = new ConvScope(`${scope}/branch1x1`, config).conv(input, 192, 1);

  const branch7x7Scope = new ConvScope(`${scope}/branch7x7`, config);
  let branch7x7 = branch7x7Scope.conv(input, innerDepth, 1);
  branch7x7 = branch7x7Scope.conv(branch7x7, innerDepth, [1, 7]);
  branch7x7 = branch7x7Scope.conv(branch7x7, 192, [7, 1]);

  const doubleScope = new ConvScope(`${scope}/branch7x7dbl`, config);
  let branch7x7dbl = doubleScope.conv(input, innerDepth, 1);
  branch7x7dbl = doubleScope.conv(branch7x7dbl, innerDepth, [7, 1]);
  branch7x7dbl = doubleScope.conv(branch7x7dbl, innerDepth, [1, 7]);
  branch7x7dbl = doubleScope.conv(branch7x7dbl, innerDepth, [7, 1]);
  branch7x7dbl = doubleScope.conv(branch7x7dbl, 192, [1, 7]);

  const poolScope = new ConvScope(`${scope}/branch_pool`, config);
  const branchPool = poolScope.conv(avgPool3x3(input, poolScope.nameOf('AvgPool'), config), 192, 1);

  return concatChannels([branch1x1, branch7x7, branch7x7dbl, branchPool], scope);
}

/**
 * Adds the 17×17 → 8×8 reduction, named `mixed_17x17x1280a` in research/inception although its
 * output is 8×8×1280: 1×1 → 3×3/2 | 1×1 → 1×7 → 7×1 → 3×3/2 | max pool /2, 320 + 192 + 768 channels.
 */
export function mixed8x8Reduction(input: tf.SymbolicTensor, scope: string, config: InceptionV3Config): tf.SymbolicTensor {
  const reduce = { strides: 2, padding: 'valid' } as const;

  const branch3x3Scope = new ConvScope(`${scope}/branch3x3`, config);
  const branch3x3 = branch3x3Scope.conv(branch3x3Scope.conv(input, 192, 1), 320, 3, reduce);

  const branch7x7x3Scope = new ConvScope(`${scope}/branch7x7x3`, config);
  let branch7x7x3 = branch7x7x3Scope.conv(input, 192, 1);
  branch7x7x3 = branch7x7x3Scope.conv(branch7x7x3, 192, [1, 7]);
  branch7x7x3 = branch7x7x3Scope.conv(branch7x7x3, 192, [7, 1]);
  branch7x7x3 = branch7x7x3Scope.conv(branch7x7x3, 192, 3, reduce);

  const branchPool = maxPool3x3Stride2(input, `${scope}/branch_pool/MaxPool`);

  return concatChannels([branch3x3, branch7x7x3, branchPool], scope);
}

/**
 * Adds an 8×8 block (`mixed_8x8x2048a`, `…b`): 1×1 | 1×1 → (1×3 ; 3×1) | 1×1 → 3×3 → (1×3 ; 3×1) |
 * avg pool → 1×1, 320 + 768 + 768 + 192 = 2048 channels at full width.
 */
export function mixed8x8(input: tf.SymbolicTensor, scope: string, config: InceptionV3Config): tf.SymbolicTensor {
  const branch1x1 = new ConvScope(`${scope}/branch1x1`, config).conv(input, 320, 1);

  const branch3x3Scope = new ConvScope(`${scope}/branch3x3`, config);
  const branch3x3Stem = branch3x3Scope.conv(input, 384, 1);
  const branch3x3 = concatChannels(
    [branch3x3Scope.conv(branch3x3Stem, 384, [1, 3]), branch3x3Scope.conv(branch3x3Stem, 384, [3, 1])],
    branch3x3Scope.nameOf('concat'),
  );

  const doubleScope = new ConvScope(`${scope}/branch3x3dbl`, config);
  let doubleStem = doubleScope.conv(input, 448, 1);
  doubleStem = doubleScope.conv(doubleStem, 384, 3);
  const branch3x3dbl = concatChannels(
    [doubleScope.conv(doubleStem, 384, [1, 3]), doubleScope.conv(doubleStem, 384, [3, 1])],
    doubleScope.nameOf('concat'),
  );

  const poolScope = new ConvScope(`${scope}/branch_pool`, config);
  const branchPool = poolScope.conv(avgPool3x3(input, poolScope.nameOf('AvgPool'), config), 192, 1);

  return concatChannels([branch1x1, branch3x3, branch3x3dbl, branchPool], scope);
}
