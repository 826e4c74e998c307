import type { AliasRecord, ModelRepository } from '../storage/model-repository.js';
import type { ModelLock } from './create-version.js';

/** Thrown when an alias change is not allowed; `kind` picks the gRPC status. */
export class AliasError extends Error {
  override readonly name = 'AliasError';

  constructor(
    readonly kind: 'not-found' | 'precondition',
    message: string,
  ) {
    super(message);
  }
}

/** Describes a version that a model lacks, with the command that lists the versions it has. */
export function missingVersionMessage(model: string, version: number): string {
  return `model "${model}" has no version ${version}; list them with inception models list ${model}`;
}

const ALIAS_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

export function isValidAliasName(alias: string): boolean {
  return ALIAS_PATTERN.test(alias);
}

/** Points `alias` at `version`, honouring protection; returns the new record and the previous version (0 if new). */
export async function setAlias(repository: ModelRepository, lock: ModelLock, request: { model: string; alias: string; version: number; protect: boolean; force: boolean }): Promise<{ record: AliasRecord; previousVersion: number }> {
  return lock.run(request.model, async () => {
    const versions = await repository.versions(request.model);
    if (!versions.includes(request.version)) {
      throw new AliasError('not-found', missingVersionMessage(request.model, request.version));
    }
    const document = await repository.aliases(request.model);
    const current = document.aliases[request.alias];
    if (current?.protected && !request.force && current.version !== request.version) {
      throw new AliasError('precondition', `alias "${request.alias}" of "${request.model}" is protected (at version ${current.version}); pass force to move it`);
    }
    const record: AliasRecord = { version: request.version, protected: request.protect || (current?.protected ?? false), updatedAt: new Date().toISOString() };
    document.aliases[request.alias] = record;
    await repository.putAliases(request.model, document);
    return { record, previousVersion: current?.version ?? 0 };
  });
}

export async function deleteAlias(repository: ModelRepository, lock: ModelLock, request: { model: string; alias: string; force: boolean }): Promise<AliasRecord> {
  return lock.run(request.model, async () => {
    const document = await repository.aliases(request.model);
    const current = document.aliases[request.alias];
    if (!current) {
      throw new AliasError('not-found', `model "${request.model}" has no alias "${request.alias}"`);
    }
    if (current.protected && !request.force) {
      throw new AliasError('precondition', `alias "${request.alias}" of "${request.model}" is protected; pass force to delete it`);
    }
    delete document.aliases[request.alias];
    await repository.putAliases(request.model, document);
    return current;
  });
}

/** Deletes a version unless an alias points to it. */
export async function deleteVersion(repository: ModelRepository, lock: ModelLock, model: string, version: number): Promise<void> {
  await lock.run(model, async () => {
    if (!(await repository.versions(model)).includes(version)) {
      throw new AliasError('not-found', missingVersionMessage(model, version));
    }
    const pointing = Object.entries((await repository.aliases(model)).aliases).filter(([, record]) => record.version === version);
    if (pointing.length > 0) {
      throw new AliasError('precondition', `version ${version} of "${model}" is the target of alias ${pointing.map(([name]) => `"${name}"`).join(', ')}; move or delete the alias first`);
    }
    await repository.deleteVersion(model, version);
  });
}
