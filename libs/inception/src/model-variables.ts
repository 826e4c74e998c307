import type * as tf from '@tensorflow/tfjs';

/** Kind of model variable, the last component of its research/inception name. */
export type VariableRole = 'weights' | 'biases' | 'beta' | 'moving_mean' | 'moving_variance';

export interface ModelVariable {
  /** research/inception checkpoint name, such as `conv0/weights` or `logits/logits/biases`. */
  name: string;
  role: VariableRole;
  /** False for the batch-norm moving statistics, which training updates without gradients. */
  trainable: boolean;
  /** The live variable of the model, so assigning to it changes the model. */
  variable: tf.Variable;
}

/**
 * Scopes of the two classifier layers, whose shapes depend on the class count. research/inception
 * leaves them out of a fine-tune restore, so they keep their fresh initialization.
 */
export const CLASSIFIER_SCOPES: readonly string[] = ['logits/logits', 'aux_logits/FC'];

/**
 * Returns whether a checkpoint name belongs to a classifier layer, including its RMSProp slots and
 * shadows, such as `logits/logits/weights/ExponentialMovingAverage`.
 */
export function isClassifierVariableName(name: string): boolean {
  return CLASSIFIER_SCOPES.some((scope) => name.startsWith(`${scope}/`));
}

/** tfjs weight names differ from the research/inception ones only in their last component. */
const ROLE_BY_TFJS_WEIGHT_NAME: Readonly<Record<string, VariableRole>> = {
  kernel: 'weights',
  bias: 'biases',
  beta: 'beta',
  moving_mean: 'moving_mean',
  moving_variance: 'moving_variance',
};

/**
 * Lists every weight of a model built by `buildInceptionV3`, layer by layer, under its
 * research/inception name. `<scope>/kernel` becomes `<scope>/weights` and `<scope>/bias` becomes
 * `<scope>/biases`, while batch-norm names are already the same.
 * Throws when a weight has a name outside that scheme.
 */
export function listModelVariables(model: tf.LayersModel): ModelVariable[] {
  const variables: ModelVariable[] = [];
  for (const layer of model.layers) {
    for (const weight of layer.weights) {
      variables.push(toModelVariable(weight));
    }
  }
  return variables;
}

function toModelVariable(weight: tf.LayerVariable): ModelVariable {
  // originalName is the scoped name before tfjs appends `_1`, `_2` to variables of later models.
  const separatorIndex = weight.originalName.lastIndexOf('/');
  const scope = weight.originalName.slice(0, separatorIndex);
  const tfjsName = weight.originalName.slice(separatorIndex + 1);

  const role = ROLE_BY_TFJS_WEIGHT_NAME[tfjsName];
  if (separatorIndex < 0 || role === undefined) {
    throw new Error(`model weight ${weight.originalName} has no research/inception name. Expected <scope>/kernel, bias, beta, moving_mean or moving_variance`);
  }
  // In tfjs-layers 4.22, read() returns the LayerVariable's own tf.Variable, not a copy.
  return { name: `${scope}/${role}`, role, trainable: weight.trainable, variable: weight.read() as tf.Variable };
}
