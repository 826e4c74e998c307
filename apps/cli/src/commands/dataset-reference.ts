import { isValidName, NAME_RULE } from '@inception/rpc';
import { InvalidArgumentError } from 'commander';

/** A dataset as a command names it; version 0 stands for every version. */
export interface DatasetReference {
  name: string;
  version: number;
}

/**
 * Parses "NAME@VERSION", and a bare "NAME" (version 0) unless `versionRequired`. The error names
 * the part that is wrong: the form, the name's characters, or the version number.
 */
export function parseDatasetReference(text: string, options: { versionRequired: boolean }): DatasetReference {
  const separator = text.indexOf('@');
  const name = separator === -1 ? text : text.slice(0, separator);
  const versionText = separator === -1 ? undefined : text.slice(separator + 1);
  if (name === '' || (versionText === undefined && options.versionRequired)) {
    const form = options.versionRequired ? 'NAME@VERSION' : 'NAME or NAME@VERSION';
    throw new InvalidArgumentError(`expected ${form}, e.g. flowers@1, got "${text}"`);
  }

  if (!isValidName(name)) throw new InvalidArgumentError(`dataset name "${name}" is invalid: use ${NAME_RULE}`);
  if (versionText === undefined) return { name, version: 0 };

  const version = Number(versionText);
  if (!/^\d+$/.test(versionText) || !Number.isSafeInteger(version) || version <= 0) {
    throw new InvalidArgumentError(`version "${versionText}" in "${text}" is invalid: versions are whole numbers from 1`);
  }
  return { name, version };
}
