/** Thrown when the class list and the folders disagree; the message names the class. */
export class LabelError extends Error {
  override readonly name = 'LabelError';
}

/**
 * Resolves the label order: the explicit list when given (trimmed, blank entries dropped, as a
 * labels file with CRLF or trailing spaces would give), else the sorted training folder names.
 * Label ids are 1..N in this order; 0 stays the unused background class, as in TensorFlow's
 * build_image_data.py.
 */
export function resolveLabels(explicit: string[], trainClasses: string[], validationClasses: string[]): string[] {
  const labels = explicit.length > 0 ? explicit.map((label) => label.trim()).filter((label) => label.length > 0) : [...trainClasses];
  if (labels.length === 0) {
    throw new LabelError('no classes: the training folder has no class sub-folders');
  }

  const seen = new Set<string>();
  for (const [index, label] of labels.entries()) {
    if (seen.has(label)) {
      throw new LabelError(`labels entry ${index + 1}: class "${label}" is listed twice`);
    }
    seen.add(label);
    if (!trainClasses.includes(label)) {
      throw new LabelError(`labels entry ${index + 1}: class "${label}" has no folder in the training source`);
    }
  }
  for (const className of [...trainClasses, ...validationClasses]) {
    if (!seen.has(className)) {
      throw new LabelError(`folder "${className}" is not in the labels list`);
    }
  }
  return labels;
}
