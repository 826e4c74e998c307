import { RegistryService } from '@inception/proto';
import type { RpcClient } from '@inception/rpc';
import { InvalidArgumentError } from 'commander';
import { connect } from '../clients.js';

export type RegistryClient = RpcClient<typeof RegistryService.method>;

/** Creates a client of the model registry at `address` for the commands that read it. */
export function registryClient(address: string): RegistryClient {
  return connect(RegistryService, address, { idempotentMethods: ['GetVersion', 'ListVersions', 'GetModel', 'ListModels'] });
}

/** A model as a command argument names it: "flowers", "flowers@3" or "flowers@production" (an alias). */
export interface ModelReference {
  model: string;
  /** Version number, when the reference names one. */
  version?: number;
  /** Alias, when the reference names one instead of a number. */
  alias?: string;
}

const REFERENCE = /^([a-z0-9][a-z0-9_-]*)(?:@([a-z0-9_-]+))?$/;

/**
 * Parses "<model>@<version>" or "<model>@<alias>", and a bare "<model>" unless `versionRequired`.
 * A selector of digits is a version number, and any other selector is an alias.
 */
export function parseModelReference(text: string, options: { versionRequired: boolean }): ModelReference {
  const match = REFERENCE.exec(text);
  if (!match || (options.versionRequired && match[2] === undefined)) {
    const expected = options.versionRequired ? '<model>@<version or alias>' : '<model>, <model>@<version> or <model>@<alias>';
    throw new InvalidArgumentError(`expected ${expected}, e.g. flowers@3 or flowers@production, got "${text}"`);
  }

  const [, model, selector] = match;
  if (selector === undefined) return { model: model! };
  if (!/^\d+$/.test(selector)) return { model: model!, alias: selector };
  const version = Number(selector);
  if (!Number.isSafeInteger(version) || version <= 0) throw new InvalidArgumentError(`version ${selector} in "${text}" is invalid: versions are numbered from 1`);
  return { model: model!, version };
}

/**
 * Returns the version number a reference names, asking the registry what an alias points to.
 * Throws naming the alias, and the aliases the model has, when the alias does not exist.
 */
export async function resolveModelVersion(client: RegistryClient, reference: ModelReference): Promise<number> {
  if (reference.version !== undefined) return reference.version;
  if (reference.alias === undefined) throw new Error(`"${reference.model}" names no version; add @<version> or @<alias>, e.g. ${reference.model}@1`);

  const { aliases } = await client.getModel({ name: reference.model });
  const alias = aliases.find((entry) => entry.name === reference.alias);
  if (alias) return alias.version;

  const known = aliases.length ? `its aliases: ${aliases.map((entry) => `${entry.name} → ${entry.version}`).join(', ')}` : 'it has no aliases';
  throw new Error(
    `model "${reference.model}" has no alias "${reference.alias}" (${known}). Point it at a version with: inception models alias ${reference.model} ${reference.alias} <version>`,
  );
}
