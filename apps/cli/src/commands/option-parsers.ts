import { InvalidArgumentError } from 'commander';

// Commander puts the option and the value before these messages: "error: option '--steps <n>'
// argument '-5' is invalid. expected a whole number from 1 to 4294967295".

/** Largest value of a protobuf uint32 field, which most integer options are sent as. */
const UINT32_MAX = 4_294_967_295;

const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function wholeNumber(text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > UINT32_MAX) throw new InvalidArgumentError(`expected a whole number from ${min} to ${UINT32_MAX}`);
  return value;
}

/** Parses an option value that must be a whole number of 1 or more that fits a uint32, such as a step count or an image size. */
export function positiveInteger(text: string): number {
  return wholeNumber(text, 1);
}

/** Parses an option value that must be a whole number of 0 or more that fits a uint32, such as a count that may be 0 or a seed. */
export function nonNegativeInteger(text: string): number {
  return wholeNumber(text, 0);
}

/** Parses an option value that must be a finite number above 0, such as a learning rate or a depth multiplier. */
export function positiveNumber(text: string): number {
  const value = Number(text);
  if (!DECIMAL_NUMBER.test(text) || !Number.isFinite(value) || value <= 0) throw new InvalidArgumentError('expected a number above 0');
  return value;
}

/** Parses an option value that must lie strictly between 0 and 1, such as a decay rate. */
export function openUnitInterval(text: string): number {
  const value = Number(text);
  if (!DECIMAL_NUMBER.test(text) || !(value > 0 && value < 1)) throw new InvalidArgumentError('expected a number above 0 and below 1');
  return value;
}
