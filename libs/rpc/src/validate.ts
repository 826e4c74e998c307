import { ServiceError } from './errors.js';

/** Returns `value` or throws INVALID_ARGUMENT naming the missing field. */
export function requireField<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null || value === '' ) {
    throw ServiceError.invalidArgument(`missing required field ${field}`);
  }
  return value;
}

/** Throws INVALID_ARGUMENT naming the field unless `value` is a positive integer. */
export function requirePositive(value: number, field: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw ServiceError.invalidArgument(`${field} must be a positive integer, got ${value}`);
  }
  return value;
}

const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The rule for dataset and model names, worded for messages that follow "use". */
export const NAME_RULE = "1–63 lower-case letters, digits, '-' or '_', starting with a letter or digit";

/** Reports whether `value` is a valid dataset or model name under NAME_RULE. */
export function isValidName(value: string): boolean {
  return NAME_PATTERN.test(value);
}

/** Validates a dataset or model name: lower-case letters, digits, '-' and '_', 1–63 characters. */
export function requireName(value: string | undefined, field: string): string {
  requireField(value, field);
  if (!isValidName(value!)) {
    throw ServiceError.invalidArgument(`${field} "${value}" is invalid: use ${NAME_RULE}`);
  }
  return value!;
}
