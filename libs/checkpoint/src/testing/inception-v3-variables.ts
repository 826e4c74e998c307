// Variables of Inception v3 under research/inception names (inception_model.py, the names in
// inception-v3-2016-03-01) and TF-slim names (research/slim/nets/inception_v3.py), with their
// shapes, written out from the two models' layer lists to test checkpoint name mapping.

export interface InceptionV3VariableOptions {
  /** Logits, background class included. Default 1001, as in the published ImageNet checkpoints. */
  numClasses?: number;
  /** Factor on every convolution depth, as in slim: depth = max(floor(d × multiplier), minDepth). Default 1. */
  depthMultiplier?: number;
  /** Default 16. */
  minDepth?: number;
  /** Whether the aux head exists. Default true. */
  auxLogits?: boolean;
  /** Input side in pixels, which sets the aux head's second kernel (5×5 at 299). Default 299. */
  imageSize?: number;
}

/** One variable under both names. Only the classifier kernels differ in shape: [C, N] versus slim's [1, 1, C, N]. */
export interface InceptionV3VariablePair {
  researchName: string;
  researchShape: number[];
  slimName: string;
  slimShape: number[];
}

type Conv = [researchScope: string, slimScope: string, kernelHeight: number, kernelWidth: number, inputDepth: number, outputDepth: number];

/** Returns every variable of Inception v3: per convolution weights and batch-norm beta, moving mean and moving variance; per classifier weights and biases. */
export function inceptionV3VariablePairs(options: InceptionV3VariableOptions = {}): InceptionV3VariablePair[] {
  const numClasses = options.numClasses ?? 1001;
  const multiplier = options.depthMultiplier ?? 1;
  const minDepth = options.minDepth ?? 16;
  const depth = (full: number): number => Math.max(Math.floor(full * multiplier), minDepth);
  const convs: Conv[] = [];
  const conv = (research: string, slim: string, [kh, kw]: [number, number], input: number, output: number): number => {
    convs.push([research, slim, kh, kw, input, depth(output)]);
    return depth(output);
  };

  // Stem.
  let net = conv('conv0', 'Conv2d_1a_3x3', [3, 3], 3, 32);
  net = conv('conv1', 'Conv2d_2a_3x3', [3, 3], net, 32);
  net = conv('conv2', 'Conv2d_2b_3x3', [3, 3], net, 64);
  net = conv('conv3', 'Conv2d_3b_1x1', [1, 1], net, 80);
  net = conv('conv4', 'Conv2d_4a_3x3', [3, 3], net, 192);

  // 35×35 blocks; Mixed_5c names its 5×5 branch differently.
  const block35 = (research: string, slim: string, poolDepth: number, branch1Names: [string, string]): number => {
    const input = net;
    const r = (scope: string): string => `${research}/${scope}`;
    const s = (scope: string): string => `${slim}/${scope}`;
    const b0 = conv(r('branch1x1/Conv'), s('Branch_0/Conv2d_0a_1x1'), [1, 1], input, 64);
    let b1 = conv(r('branch5x5/Conv'), s(`Branch_1/${branch1Names[0]}`), [1, 1], input, 48);
    b1 = conv(r('branch5x5/Conv_1'), s(`Branch_1/${branch1Names[1]}`), [5, 5], b1, 64);
    let b2 = conv(r('branch3x3dbl/Conv'), s('Branch_2/Conv2d_0a_1x1'), [1, 1], input, 64);
    b2 = conv(r('branch3x3dbl/Conv_1'), s('Branch_2/Conv2d_0b_3x3'), [3, 3], b2, 96);
    b2 = conv(r('branch3x3dbl/Conv_2'), s('Branch_2/Conv2d_0c_3x3'), [3, 3], b2, 96);
    const b3 = conv(r('branch_pool/Conv'), s('Branch_3/Conv2d_0b_1x1'), [1, 1], input, poolDepth);
    return b0 + b1 + b2 + b3;
  };
  net = block35('mixed_35x35x256a', 'Mixed_5b', 32, ['Conv2d_0a_1x1', 'Conv2d_0b_5x5']);
  net = block35('mixed_35x35x288a', 'Mixed_5c', 64, ['Conv2d_0b_1x1', 'Conv_1_0c_5x5']);
  net = block35('mixed_35x35x288b', 'Mixed_5d', 64, ['Conv2d_0a_1x1', 'Conv2d_0b_5x5']);

  // 35 → 17 reduction; slim calls its 3×3 stride-2 convolutions `Conv2d_1a_1x1`.
  {
    const input = net;
    const b0 = conv('mixed_17x17x768a/branch3x3/Conv', 'Mixed_6a/Branch_0/Conv2d_1a_1x1', [3, 3], input, 384);
    let b1 = conv('mixed_17x17x768a/branch3x3dbl/Conv', 'Mixed_6a/Branch_1/Conv2d_0a_1x1', [1, 1], input, 64);
    b1 = conv('mixed_17x17x768a/branch3x3dbl/Conv_1', 'Mixed_6a/Branch_1/Conv2d_0b_3x3', [3, 3], b1, 96);
    b1 = conv('mixed_17x17x768a/branch3x3dbl/Conv_2', 'Mixed_6a/Branch_1/Conv2d_1a_1x1', [3, 3], b1, 96);
    net = b0 + b1 + input;
  }

  // 17×17 blocks.
  const block17 = (research: string, slim: string, inner: number): number => {
    const input = net;
    const r = (scope: string): string => `${research}/${scope}`;
    const s = (scope: string): string => `${slim}/${scope}`;
    const b0 = conv(r('branch1x1/Conv'), s('Branch_0/Conv2d_0a_1x1'), [1, 1], input, 192);
    let b1 = conv(r('branch7x7/Conv'), s('Branch_1/Conv2d_0a_1x1'), [1, 1], input, inner);
    b1 = conv(r('branch7x7/Conv_1'), s('Branch_1/Conv2d_0b_1x7'), [1, 7], b1, inner);
    b1 = conv(r('branch7x7/Conv_2'), s('Branch_1/Conv2d_0c_7x1'), [7, 1], b1, 192);
    let b2 = conv(r('branch7x7dbl/Conv'), s('Branch_2/Conv2d_0a_1x1'), [1, 1], input, inner);
    b2 = conv(r('branch7x7dbl/Conv_1'), s('Branch_2/Conv2d_0b_7x1'), [7, 1], b2, inner);
    b2 = conv(r('branch7x7dbl/Conv_2'), s('Branch_2/Conv2d_0c_1x7'), [1, 7], b2, inner);
    b2 = conv(r('branch7x7dbl/Conv_3'), s('Branch_2/Conv2d_0d_7x1'), [7, 1], b2, inner);
    b2 = conv(r('branch7x7dbl/Conv_4'), s('Branch_2/Conv2d_0e_1x7'), [1, 7], b2, 192);
    const b3 = conv(r('branch_pool/Conv'), s('Branch_3/Conv2d_0b_1x1'), [1, 1], input, 192);
    return b0 + b1 + b2 + b3;
  };
  net = block17('mixed_17x17x768b', 'Mixed_6b', 128);
  net = block17('mixed_17x17x768c', 'Mixed_6c', 160);
  net = block17('mixed_17x17x768d', 'Mixed_6d', 160);
  net = block17('mixed_17x17x768e', 'Mixed_6e', 192);
  const auxInput = net;

  // 17 → 8 reduction, named mixed_17x17x1280a in research/inception.
  {
    const input = net;
    let b0 = conv('mixed_17x17x1280a/branch3x3/Conv', 'Mixed_7a/Branch_0/Conv2d_0a_1x1', [1, 1], input, 192);
    b0 = conv('mixed_17x17x1280a/branch3x3/Conv_1', 'Mixed_7a/Branch_0/Conv2d_1a_3x3', [3, 3], b0, 320);
    let b1 = conv('mixed_17x17x1280a/branch7x7x3/Conv', 'Mixed_7a/Branch_1/Conv2d_0a_1x1', [1, 1], input, 192);
    b1 = conv('mixed_17x17x1280a/branch7x7x3/Conv_1', 'Mixed_7a/Branch_1/Conv2d_0b_1x7', [1, 7], b1, 192);
    b1 = conv('mixed_17x17x1280a/branch7x7x3/Conv_2', 'Mixed_7a/Branch_1/Conv2d_0c_7x1', [7, 1], b1, 192);
    b1 = conv('mixed_17x17x1280a/branch7x7x3/Conv_3', 'Mixed_7a/Branch_1/Conv2d_1a_3x3', [3, 3], b1, 192);
    net = b0 + b1 + input;
  }

  // 8×8 blocks; Mixed_7b and Mixed_7c name Branch_1's 3×1 convolution differently.
  const block8 = (research: string, slim: string, branch1Conv3x1: string): number => {
    const input = net;
    const r = (scope: string): string => `${research}/${scope}`;
    const s = (scope: string): string => `${slim}/${scope}`;
    const b0 = conv(r('branch1x1/Conv'), s('Branch_0/Conv2d_0a_1x1'), [1, 1], input, 320);
    const b1Stem = conv(r('branch3x3/Conv'), s('Branch_1/Conv2d_0a_1x1'), [1, 1], input, 384);
    const b1 = conv(r('branch3x3/Conv_1'), s('Branch_1/Conv2d_0b_1x3'), [1, 3], b1Stem, 384) + conv(r('branch3x3/Conv_2'), s(`Branch_1/${branch1Conv3x1}`), [3, 1], b1Stem, 384);
    let b2Stem = conv(r('branch3x3dbl/Conv'), s('Branch_2/Conv2d_0a_1x1'), [1, 1], input, 448);
    b2Stem = conv(r('branch3x3dbl/Conv_1'), s('Branch_2/Conv2d_0b_3x3'), [3, 3], b2Stem, 384);
    const b2 = conv(r('branch3x3dbl/Conv_2'), s('Branch_2/Conv2d_0c_1x3'), [1, 3], b2Stem, 384) + conv(r('branch3x3dbl/Conv_3'), s('Branch_2/Conv2d_0d_3x1'), [3, 1], b2Stem, 384);
    const b3 = conv(r('branch_pool/Conv'), s('Branch_3/Conv2d_0b_1x1'), [1, 1], input, 192);
    return b0 + b1 + b2 + b3;
  };
  net = block8('mixed_8x8x2048a', 'Mixed_7b', 'Conv2d_0b_3x1');
  net = block8('mixed_8x8x2048b', 'Mixed_7c', 'Conv2d_0c_3x1');

  const pairs: InceptionV3VariablePair[] = convs.flatMap(convolutionPairs);
  if (options.auxLogits ?? true) {
    const projected = conv('aux_logits/proj', 'AuxLogits/Conv2d_1b_1x1', [1, 1], auxInput, 128);
    const kernel = auxKernelSize(options.imageSize ?? 299);
    const auxDepth = conv('aux_logits/Conv', `AuxLogits/Conv2d_2a_${kernel}x${kernel}`, [kernel, kernel], projected, 768);
    pairs.push(...convs.slice(-2).flatMap(convolutionPairs), ...classifierPairs('aux_logits/FC', 'AuxLogits/Conv2d_2b_1x1', auxDepth, numClasses));
  }
  pairs.push(...classifierPairs('logits/logits', 'Logits/Conv2d_1c_1x1', net, numClasses));
  return pairs;
}

function convolutionPairs([research, slim, kh, kw, input, output]: Conv): InceptionV3VariablePair[] {
  const weights = { researchName: `${research}/weights`, slimName: `InceptionV3/${slim}/weights`, researchShape: [kh, kw, input, output], slimShape: [kh, kw, input, output] };
  const batchNorm = ['beta', 'moving_mean', 'moving_variance'].map((variable) => ({
    researchName: `${research}/BatchNorm/${variable}`,
    slimName: `InceptionV3/${slim}/BatchNorm/${variable}`,
    researchShape: [output],
    slimShape: [output],
  }));
  return [weights, ...batchNorm];
}

function classifierPairs(research: string, slim: string, inputDepth: number, numClasses: number): InceptionV3VariablePair[] {
  return [
    { researchName: `${research}/weights`, slimName: `InceptionV3/${slim}/weights`, researchShape: [inputDepth, numClasses], slimShape: [1, 1, inputDepth, numClasses] },
    { researchName: `${research}/biases`, slimName: `InceptionV3/${slim}/biases`, researchShape: [numClasses], slimShape: [numClasses] },
  ];
}

/** Returns the side of the aux head's map after its 5×5 stride-3 pool: the 17×17-stage side s gives floor((s − 5) / 3) + 1. */
function auxKernelSize(imageSize: number): number {
  const valid = (size: number, kernel: number, stride: number): number => Math.floor((size - kernel) / stride) + 1;
  let side = valid(imageSize, 3, 2); // conv0
  side = valid(side, 3, 1); // conv1; conv2 is SAME
  side = valid(side, 3, 2); // pool1; conv3 is 1×1
  side = valid(side, 3, 1); // conv4
  side = valid(side, 3, 2); // pool2: the 35×35 stage
  side = valid(side, 3, 2); // mixed_17x17x768a: the 17×17 stage
  return valid(side, 5, 3);
}
