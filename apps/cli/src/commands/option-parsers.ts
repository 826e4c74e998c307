import { InvalidArgumentError } from 'commander';

/** Parses an option value that must be a finite number above 0, such as a learning rate or an image size. */
export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return parsed;
}
