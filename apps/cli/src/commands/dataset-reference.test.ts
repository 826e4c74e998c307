import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseDatasetReference } from './dataset-reference.js';

const NAME_RULE = "use 1–63 lower-case letters, digits, '-' or '_', starting with a letter or digit";

function messageOf(text: string, versionRequired: boolean): string {
  try {
    parseDatasetReference(text, { versionRequired });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

describe('parseDatasetReference', () => {
  it('reads a bare name as every version', () => {
    expect(parseDatasetReference('flowers', { versionRequired: false })).toEqual({ name: 'flowers', version: 0 });
  });

  it('reads one version', () => {
    expect(parseDatasetReference('flower_photos-2@12', { versionRequired: true })).toEqual({ name: 'flower_photos-2', version: 12 });
  });

  it.each([
    ['Bad Name', `dataset name "Bad Name" is invalid: ${NAME_RULE}`],
    ['Flowers@1', `dataset name "Flowers" is invalid: ${NAME_RULE}`],
    ['-flowers', `dataset name "-flowers" is invalid: ${NAME_RULE}`],
    ['x'.repeat(64), `dataset name "${'x'.repeat(64)}" is invalid: ${NAME_RULE}`],
  ])('names the characters of %s', (text, message) => {
    expect(messageOf(text, false)).toBe(message);
  });

  it.each([
    ['flowers@0', 'version "0" in "flowers@0" is invalid: versions are whole numbers from 1'],
    ['flowers@x', 'version "x" in "flowers@x" is invalid: versions are whole numbers from 1'],
    ['flowers@', 'version "" in "flowers@" is invalid: versions are whole numbers from 1'],
    ['flowers@1@2', 'version "1@2" in "flowers@1@2" is invalid: versions are whole numbers from 1'],
  ])('names the version of %s', (text, message) => {
    expect(messageOf(text, false)).toBe(message);
  });

  it('names the form without a name', () => {
    expect(messageOf('@1', false)).toBe('expected NAME or NAME@VERSION, e.g. flowers@1, got "@1"');
  });

  it('names the form without a required version', () => {
    expect(messageOf('flowers', true)).toBe('expected NAME@VERSION, e.g. flowers@1, got "flowers"');
  });
});
