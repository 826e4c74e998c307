/** Suffix of the moving-average shadow of a variable, as TensorFlow's ExponentialMovingAverage names it. */
export const MOVING_AVERAGE_SUFFIX = '/ExponentialMovingAverage';

/** A model variable that a checkpoint should provide, such as `conv0/weights` of shape [3, 3, 3, 32]. */
export interface ExpectedVariable {
  name: string;
  shape: readonly number[];
}

/** Anything with a name and a shape: a tensor read from a checkpoint, or only its listing. */
export interface NamedShape {
  name: string;
  shape: readonly number[];
}

/** Tensors by name. */
export type NamedTensors<T> = Record<string, T>;

/** A checkpoint tensor under its model name and shape, with the checkpoint name it came from. */
export type MappedTensor<T extends NamedShape> = Omit<T, 'name' | 'shape'> & { name: string; shape: number[]; sourceName: string };

/** A checkpoint tensor whose name maps to a model variable of another shape. */
export interface ShapeMismatch {
  /** The model variable. */
  name: string;
  sourceName: string;
  expectedShape: number[];
  checkpointShape: number[];
}

export interface CheckpointMapping<T extends NamedShape> {
  /** Checkpoint tensors by model variable name, reshaped where the layouts differ only by size-1 dimensions. */
  mapped: NamedTensors<MappedTensor<T>>;
  /** Checkpoint tensors that map to no model variable, such as `global_step` or optimizer slots. */
  unmapped: string[];
  /** Model variables that no checkpoint tensor maps to. */
  missing: string[];
  /** Checkpoint tensors that map to a model variable of another shape, such as logits of another class count. */
  shapeMismatches: ShapeMismatch[];
}

export interface MapCheckpointOptions {
  /** The model's variables and shapes, for example `expectedVariablesOf(listModelVariables(model))`. */
  expected: readonly ExpectedVariable[];
  /**
   * Whether to take each variable's moving average, `<name>/ExponentialMovingAverage`, in place of
   * the raw variable, as research/inception's evaluation restores them. Default false.
   */
  useAverages?: boolean;
}

/** The model variable that a checkpoint variable maps to. */
export interface VariableTranslation {
  name: string;
  /** Number of leading size-1 dimensions to drop, such as 2 for a 1×1 convolution kernel used as a fully connected layer. */
  dropLeadingDimensions?: number;
}

/** Returns the expected variables of a model's variable list, such as `listModelVariables(model)` of @inception/inception. */
export function expectedVariablesOf(variables: readonly { name: string; variable: { shape: readonly number[] } }[]): ExpectedVariable[] {
  return variables.map(({ name, variable }) => ({ name, shape: [...variable.shape] }));
}

/**
 * Maps checkpoint tensors to model variables through `translate`, which returns the model name of
 * a checkpoint variable name (the name without the moving-average suffix) or undefined.
 * Each model variable takes the first tensor that maps to it.
 */
export function mapTensors<T extends NamedShape>(
  tensors: readonly T[],
  options: MapCheckpointOptions,
  translate: (variableName: string) => VariableTranslation | undefined,
): CheckpointMapping<T> {
  const expectedByName = new Map(options.expected.map((variable) => [variable.name, variable]));
  const mapped: NamedTensors<MappedTensor<T>> = {};
  const claimed = new Set<string>();
  const unmapped: string[] = [];
  const shapeMismatches: ShapeMismatch[] = [];

  for (const tensor of tensors) {
    const variableName = variableNameOf(tensor.name, options.useAverages ?? false);
    const translation = variableName === undefined ? undefined : translate(variableName);
    const expected = translation === undefined ? undefined : expectedByName.get(translation.name);
    if (translation === undefined || expected === undefined || claimed.has(expected.name)) {
      unmapped.push(tensor.name);
      continue;
    }
    claimed.add(expected.name);

    const shape = dropLeadingOnes(tensor.shape, translation.dropLeadingDimensions ?? 0);
    if (!sameShape(shape, expected.shape)) {
      shapeMismatches.push({ name: expected.name, sourceName: tensor.name, expectedShape: [...expected.shape], checkpointShape: [...tensor.shape] });
      continue;
    }
    // The values are row-major, so dropping size-1 dimensions leaves them valid as they are.
    mapped[expected.name] = { ...tensor, name: expected.name, shape: [...expected.shape], sourceName: tensor.name };
  }

  const missing = options.expected.map(({ name }) => name).filter((name) => !claimed.has(name));
  return { mapped, unmapped, missing, shapeMismatches };
}

function variableNameOf(tensorName: string, useAverages: boolean): string | undefined {
  const isShadow = tensorName.endsWith(MOVING_AVERAGE_SUFFIX);
  if (useAverages) return isShadow ? tensorName.slice(0, -MOVING_AVERAGE_SUFFIX.length) : undefined;
  return isShadow ? undefined : tensorName;
}

/** Drops `count` leading dimensions when they all have size 1; otherwise returns the shape unchanged, so it mismatches. */
function dropLeadingOnes(shape: readonly number[], count: number): readonly number[] {
  return shape.length >= count && shape.slice(0, count).every((size) => size === 1) ? shape.slice(count) : shape;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}
