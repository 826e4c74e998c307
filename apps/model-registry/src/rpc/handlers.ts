import { create, toJson } from '@bufbuild/protobuf';
import { LineageSchema, RegistryService } from '@inception/proto';
import { GrpcStatus, implement, requireField, requireName, ServiceError, type ServiceRegistration } from '@inception/rpc';
import { StorageError, type ObjectStore } from '@inception/storage';
import { normalizeImage } from '@inception/imaging';
import { Classifier, ClassifierError } from '../domain/classifier.js';
import { AliasError, deleteAlias, deleteVersion, isValidAliasName, missingVersionMessage, setAlias } from '../domain/aliases.js';
import { createVersion, ModelLock, VersionRequestError } from '../domain/create-version.js';
import type { RegistryMetrics } from '../metrics.js';
import { ModelRepository } from '../storage/model-repository.js';
import { aliasMessage, modelMessage, parsePageToken, versionMessage } from './convert.js';

export interface RegistryDependencies {
  store: ObjectStore;
  metrics: RegistryMetrics;
  /** Serves Classify; without one, Classify answers FAILED_PRECONDITION. */
  classifier?: Classifier;
}

/** Largest image Classify accepts, in bytes. */
export const MAX_CLASSIFY_IMAGE_BYTES = 4 * 1024 * 1024;

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

function toServiceError(error: unknown, metrics: RegistryMetrics): unknown {
  if (error instanceof VersionRequestError) return ServiceError.invalidArgument(error.message);
  if (error instanceof ClassifierError) return ServiceError.failedPrecondition(error.message);
  if (error instanceof AliasError) return error.kind === 'not-found' ? ServiceError.notFound(error.message) : ServiceError.failedPrecondition(error.message);
  if (error instanceof StorageError && error.kind === 'not-found') return ServiceError.notFound(error.message);
  if (error instanceof StorageError && error.kind === 'integrity') {
    metrics.verificationFailures.inc();
    return ServiceError.dataLoss(error.message, error);
  }
  if (error instanceof StorageError && error.kind === 'unavailable') return ServiceError.unavailable(error.message, error);
  return error;
}

function requireAlias(alias: string): string {
  requireField(alias, 'alias');
  if (!isValidAliasName(alias)) throw ServiceError.invalidArgument(`alias "${alias}" is invalid: use 1–63 lower-case letters, digits, '-' or '_', starting with a letter`);
  return alias;
}

function requireVersion(version: number): number {
  if (version === 0) throw ServiceError.invalidArgument('missing required field version');
  return version;
}

export function registryHandlers(dependencies: RegistryDependencies): ServiceRegistration {
  const repository = new ModelRepository(dependencies.store);
  const lock = new ModelLock();
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toServiceError(error, dependencies.metrics);
    }
  };
  const requireModel = async (name: string) => {
    const record = await repository.model(name);
    if (!record) throw ServiceError.notFound(`model "${name}" not found`);
    return record;
  };
  const ensureModel = async (name: string, description: string) => {
    const existing = await repository.model(name);
    if (existing) return { record: existing, created: false };
    const record = { formatVersion: 1 as const, name, description, createdAt: new Date().toISOString() };
    await repository.putModel(record);
    return { record, created: true };
  };

  return implement(RegistryService, {
    async createModel(request) {
      const name = requireName(request.name, 'name');
      return guarded(async () => {
        const { record, created } = await ensureModel(name, request.description);
        return { model: modelMessage(record), created };
      });
    },

    async createVersion(request, context) {
      const model = requireName(request.model, 'model');
      const lineage = requireField(request.lineage, 'lineage');
      for (const [index, file] of request.files.entries()) {
        requireField(file.key, `files[${index}].key`);
        if (!/^[0-9a-f]{64}$/.test(file.sha256)) {
          throw ServiceError.invalidArgument(`files[${index}].sha256 "${file.sha256}" is not 64 lower-case hex digits`);
        }
      }
      return guarded(async () => {
        await ensureModel(model, '');
        const files = request.files.map((file) => ({ key: file.key, sizeBytes: Number(file.sizeBytes), sha256: file.sha256 }));
        const stopTimer = dependencies.metrics.createVersionSeconds.startTimer({ source: lineage.importedCheckpoint ? 'import' : 'training' });
        const manifest = await createVersion(repository, lock, model, files, toJson(LineageSchema, create(LineageSchema, lineage)));
        stopTimer();
        dependencies.metrics.versions.inc();
        context.logger.info({ model, version: manifest.version, job: lineage.jobId }, 'model version created');
        return { version: versionMessage(manifest) };
      });
    },

    async getVersion(request) {
      const model = requireName(request.model, 'model');
      const version = requireVersion(request.version);
      return guarded(async () => {
        if (!(await repository.versions(model)).includes(version)) throw ServiceError.notFound(missingVersionMessage(model, version));
        const manifest = await repository.version(model, version);
        await repository.verify(manifest);
        return { version: versionMessage(manifest) };
      });
    },

    async listVersions(request) {
      const model = requireName(request.model, 'model');
      if (request.pageSize > MAX_PAGE_SIZE) throw ServiceError.invalidArgument(`page_size ${request.pageSize} is above the maximum ${MAX_PAGE_SIZE}`);
      let after: number;
      try {
        after = parsePageToken(request.pageToken);
      } catch (error) {
        throw ServiceError.invalidArgument((error as Error).message);
      }
      const pageSize = request.pageSize || DEFAULT_PAGE_SIZE;
      return guarded(async () => {
        await requireModel(model);
        const remaining = (await repository.versions(model)).filter((version) => version > after);
        const page = remaining.slice(0, pageSize);
        const versions = [];
        for (const version of page) versions.push(versionMessage(await repository.version(model, version)));
        return { versions, nextPageToken: remaining.length > pageSize ? String(page.at(-1)) : '' };
      });
    },

    async getModel(request) {
      const name = requireName(request.name, 'name');
      return guarded(async () => {
        const record = await requireModel(name);
        const aliases = Object.entries((await repository.aliases(name)).aliases).map(([alias, entry]) => aliasMessage(alias, entry));
        return { model: modelMessage(record), aliases, versions: await repository.versions(name) };
      });
    },

    async listModels() {
      return guarded(async () => {
        const models = [];
        for (const name of await repository.names()) {
          const record = await repository.model(name);
          if (record) models.push(modelMessage(record));
        }
        return { models };
      });
    },

    async setAlias(request, context) {
      const model = requireName(request.model, 'model');
      const alias = requireAlias(request.alias);
      const version = requireVersion(request.version);
      return guarded(async () => {
        await requireModel(model);
        const { record, previousVersion } = await setAlias(repository, lock, { model, alias, version, protect: request.protect, force: request.force });
        dependencies.metrics.aliasMoves.inc({ operation: 'set' });
        context.logger.info({ model, alias, version, previousVersion, force: request.force }, 'alias moved');
        return { alias: aliasMessage(alias, record), previousVersion };
      });
    },

    async deleteAlias(request, context) {
      const model = requireName(request.model, 'model');
      const alias = requireAlias(request.alias);
      return guarded(async () => {
        const deleted = await deleteAlias(repository, lock, { model, alias, force: request.force });
        dependencies.metrics.aliasMoves.inc({ operation: 'delete' });
        context.logger.info({ model, alias, version: deleted.version }, 'alias deleted');
        return { deleted: aliasMessage(alias, deleted) };
      });
    },

    async classify(request) {
      const model = requireName(request.model, 'model');
      if (request.image.byteLength > MAX_CLASSIFY_IMAGE_BYTES) {
        throw new ServiceError(GrpcStatus.RESOURCE_EXHAUSTED, `image is ${request.image.byteLength} bytes, above the Classify limit of ${MAX_CLASSIFY_IMAGE_BYTES} bytes (4 MiB)`);
      }
      if (request.image.byteLength === 0) throw ServiceError.invalidArgument('missing required field image');
      const classifier = dependencies.classifier;
      if (!classifier) throw ServiceError.failedPrecondition('this registry was started without a classifier');
      const normalized = await normalizeImage(request.image);
      if (!normalized.ok) throw ServiceError.invalidArgument(`image rejected (${normalized.reason}): ${normalized.detail}`);
      return guarded(async () => {
        let version = request.version;
        if (version === 0) {
          const alias = requireAlias(request.alias);
          const record = (await repository.aliases(model)).aliases[alias];
          if (!record) throw ServiceError.notFound(`model "${model}" has no alias "${alias}"`);
          version = record.version;
        }
        const manifest = await repository.version(model, version);
        const predictions = await classifier.classify(manifest, normalized.jpegBytes);
        return { version, predictions };
      });
    },

    async deleteVersion(request, context) {
      const model = requireName(request.model, 'model');
      const version = requireVersion(request.version);
      return guarded(async () => {
        await deleteVersion(repository, lock, model, version);
        context.logger.info({ model, version }, 'version deleted');
        return {};
      });
    },
  });
}
