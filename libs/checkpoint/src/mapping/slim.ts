import { mapTensors, type CheckpointMapping, type MapCheckpointOptions, type NamedShape, type VariableTranslation } from './map-tensors.js';

// Scope names of TF-slim's Inception v3 (research/slim/nets/inception_v3.py, scope `InceptionV3`)
// and the research/inception scopes of the same convolutions. research/inception names the
// unnamed convolutions of a branch `Conv`, `Conv_1`, … in creation order.

const SLIM_MODEL_SCOPE = 'InceptionV3/';

/** Variables of one convolution, the same in both models. Only the classifier layers have biases. */
const VARIABLE_SUFFIXES = ['weights', 'biases', 'BatchNorm/beta', 'BatchNorm/moving_mean', 'BatchNorm/moving_variance'];

const STEM: Readonly<Record<string, string>> = {
  Conv2d_1a_3x3: 'conv0',
  Conv2d_2a_3x3: 'conv1',
  Conv2d_2b_3x3: 'conv2',
  Conv2d_3b_1x1: 'conv3',
  Conv2d_4a_3x3: 'conv4',
};

/** Builds a block layout: slim `Branch_k/<conv>` paths by research branch, in creation order. */
function branches(layout: Readonly<Record<string, readonly string[]>>): ReadonlyMap<string, string> {
  const scopes = new Map<string, string>();
  for (const [researchBranch, slimConvs] of Object.entries(layout)) {
    slimConvs.forEach((slimConv, i) => scopes.set(slimConv, `${researchBranch}/${i === 0 ? 'Conv' : `Conv_${i}`}`));
  }
  return scopes;
}

const BLOCK_35X35 = branches({
  branch1x1: ['Branch_0/Conv2d_0a_1x1'],
  branch5x5: ['Branch_1/Conv2d_0a_1x1', 'Branch_1/Conv2d_0b_5x5'],
  branch3x3dbl: ['Branch_2/Conv2d_0a_1x1', 'Branch_2/Conv2d_0b_3x3', 'Branch_2/Conv2d_0c_3x3'],
  branch_pool: ['Branch_3/Conv2d_0b_1x1'],
});

/** Mixed_5c names its 5×5 branch differently from Mixed_5b and Mixed_5d. */
const BLOCK_35X35_MIXED_5C = branches({
  branch1x1: ['Branch_0/Conv2d_0a_1x1'],
  branch5x5: ['Branch_1/Conv2d_0b_1x1', 'Branch_1/Conv_1_0c_5x5'],
  branch3x3dbl: ['Branch_2/Conv2d_0a_1x1', 'Branch_2/Conv2d_0b_3x3', 'Branch_2/Conv2d_0c_3x3'],
  branch_pool: ['Branch_3/Conv2d_0b_1x1'],
});

const REDUCTION_17X17 = branches({
  branch3x3: ['Branch_0/Conv2d_1a_1x1'],
  branch3x3dbl: ['Branch_1/Conv2d_0a_1x1', 'Branch_1/Conv2d_0b_3x3', 'Branch_1/Conv2d_1a_1x1'],
});

const BLOCK_17X17 = branches({
  branch1x1: ['Branch_0/Conv2d_0a_1x1'],
  branch7x7: ['Branch_1/Conv2d_0a_1x1', 'Branch_1/Conv2d_0b_1x7', 'Branch_1/Conv2d_0c_7x1'],
  branch7x7dbl: ['Branch_2/Conv2d_0a_1x1', 'Branch_2/Conv2d_0b_7x1', 'Branch_2/Conv2d_0c_1x7', 'Branch_2/Conv2d_0d_7x1', 'Branch_2/Conv2d_0e_1x7'],
  branch_pool: ['Branch_3/Conv2d_0b_1x1'],
});

const REDUCTION_8X8 = branches({
  branch3x3: ['Branch_0/Conv2d_0a_1x1', 'Branch_0/Conv2d_1a_3x3'],
  branch7x7x3: ['Branch_1/Conv2d_0a_1x1', 'Branch_1/Conv2d_0b_1x7', 'Branch_1/Conv2d_0c_7x1', 'Branch_1/Conv2d_1a_3x3'],
});

/** Mixed_7b and Mixed_7c differ only in the name of Branch_1's 3×1 convolution. */
function block8x8(branch1Conv3x1: string): ReadonlyMap<string, string> {
  return branches({
    branch1x1: ['Branch_0/Conv2d_0a_1x1'],
    branch3x3: ['Branch_1/Conv2d_0a_1x1', 'Branch_1/Conv2d_0b_1x3', `Branch_1/${branch1Conv3x1}`],
    branch3x3dbl: ['Branch_2/Conv2d_0a_1x1', 'Branch_2/Conv2d_0b_3x3', 'Branch_2/Conv2d_0c_1x3', 'Branch_2/Conv2d_0d_3x1'],
    branch_pool: ['Branch_3/Conv2d_0b_1x1'],
  });
}

/** Slim block scope, research block scope and the block's branch layout. */
const BLOCKS: readonly [string, string, ReadonlyMap<string, string>][] = [
  ['Mixed_5b', 'mixed_35x35x256a', BLOCK_35X35],
  ['Mixed_5c', 'mixed_35x35x288a', BLOCK_35X35_MIXED_5C],
  ['Mixed_5d', 'mixed_35x35x288b', BLOCK_35X35],
  ['Mixed_6a', 'mixed_17x17x768a', REDUCTION_17X17],
  ['Mixed_6b', 'mixed_17x17x768b', BLOCK_17X17],
  ['Mixed_6c', 'mixed_17x17x768c', BLOCK_17X17],
  ['Mixed_6d', 'mixed_17x17x768d', BLOCK_17X17],
  ['Mixed_6e', 'mixed_17x17x768e', BLOCK_17X17],
  ['Mixed_7a', 'mixed_17x17x1280a', REDUCTION_8X8],
  ['Mixed_7b', 'mixed_8x8x2048a', block8x8('Conv2d_0b_3x1')],
  ['Mixed_7c', 'mixed_8x8x2048b', block8x8('Conv2d_0c_3x1')],
];

/** Slim's classifiers are 1×1 convolutions with biases; research/inception's are fully connected layers. */
const CLASSIFIERS: Readonly<Record<string, string>> = {
  'Logits/Conv2d_1c_1x1': 'logits/logits',
  'AuxLogits/Conv2d_2b_1x1': 'aux_logits/FC',
};

/** Slim sizes the aux head's second convolution to its input map (`Conv2d_2a_5x5` at 299 pixels). */
const AUX_CONV_PATTERN = /^AuxLogits\/Conv2d_2a_\d+x\d+$/;

const CONVOLUTION_SCOPES: ReadonlyMap<string, string> = new Map([
  ...Object.entries(STEM),
  ['AuxLogits/Conv2d_1b_1x1', 'aux_logits/proj'],
  ...BLOCKS.flatMap(([slimBlock, researchBlock, layout]) => [...layout].map(([slimConv, researchConv]): [string, string] => [`${slimBlock}/${slimConv}`, `${researchBlock}/${researchConv}`])),
]);

/** Returns the research/inception name of a slim Inception v3 variable, or undefined for other names. */
export function translateSlimVariable(slimName: string): VariableTranslation | undefined {
  if (!slimName.startsWith(SLIM_MODEL_SCOPE)) return undefined;
  const path = slimName.slice(SLIM_MODEL_SCOPE.length);
  const suffix = VARIABLE_SUFFIXES.find((candidate) => path.endsWith(`/${candidate}`));
  if (suffix === undefined) return undefined;
  const scope = path.slice(0, -suffix.length - 1);

  const classifier = CLASSIFIERS[scope];
  if (classifier !== undefined) {
    return { name: `${classifier}/${suffix}`, dropLeadingDimensions: suffix === 'weights' ? 2 : 0 };
  }
  const research = AUX_CONV_PATTERN.test(scope) ? 'aux_logits/Conv' : CONVOLUTION_SCOPES.get(scope);
  return research === undefined ? undefined : { name: `${research}/${suffix}` };
}

/**
 * Maps a TF-slim Inception v3 checkpoint, such as `inception_v3_2016_08_28`, to the model of
 * @inception/inception: `InceptionV3/Conv2d_1a_3x3/weights` becomes `conv0/weights`,
 * `InceptionV3/Mixed_5b/Branch_1/Conv2d_0b_5x5/…` becomes `mixed_35x35x256a/branch5x5/Conv_1/…`,
 * and the classifiers' [1, 1, C, N] kernels become the [C, N] weights of `logits/logits` and
 * `aux_logits/FC`. With `useAverages`, `<name>/ExponentialMovingAverage` supplies `<name>`.
 */
export function mapSlimCheckpoint<T extends NamedShape>(tensors: readonly T[], options: MapCheckpointOptions): CheckpointMapping<T> {
  return mapTensors(tensors, options, translateSlimVariable);
}
