import { create, fromJson, toJson, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { LineageSchema, RegistryService, type ModelVersionSchema } from '@inception/proto';
import { implement, requireField, requireName, ServiceError, type ServiceRegistration } from '@inception/rpc';
import { StorageError, type ObjectStore } from '@inception/storage';
import { createVersion, VersionAllocator, VersionRequestError } from '../domain/create-version.js';
import type { RegistryMetrics } from '../metrics.js';
import { ModelRepository, type VersionManifest } from '../storage/model-repository.js';

export interface RegistryDependencies {
  store: ObjectStore;
  metrics: RegistryMetrics;
}

function toServiceError(error: unknown, metrics: RegistryMetrics): unknown {
  if (error instanceof VersionRequestError) return ServiceError.invalidArgument(error.message);
  if (error instanceof StorageError && error.kind === 'not-found') return ServiceError.notFound(error.message);
  if (error instanceof StorageError && error.kind === 'integrity') {
    metrics.verificationFailures.inc();
    return ServiceError.dataLoss(error.message, error);
  }
  if (error instanceof StorageError && error.kind === 'unavailable') return ServiceError.unavailable(error.message, error);
  return error;
}

function versionMessage(manifest: VersionManifest): MessageInitShape<typeof ModelVersionSchema> {
  return {
    model: manifest.model,
    version: manifest.version,
    lineage: fromJson(LineageSchema, manifest.lineage as never, { ignoreUnknownFields: true }),
    files: manifest.files.map((file) => ({ key: file.key, sizeBytes: BigInt(file.sizeBytes), sha256: file.sha256 })),
    createdAt: timestampFromDate(new Date(manifest.createdAt)),
  };
}

export function registryHandlers(dependencies: RegistryDependencies): ServiceRegistration {
  const repository = new ModelRepository(dependencies.store);
  const allocator = new VersionAllocator();
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toServiceError(error, dependencies.metrics);
    }
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
        return { model: { name: record.name, description: record.description, createdAt: timestampFromDate(new Date(record.createdAt)) }, created };
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
        const manifest = await createVersion(repository, allocator, model, files, toJson(LineageSchema, create(LineageSchema, lineage)));
        dependencies.metrics.versions.inc();
        context.logger.info({ model, version: manifest.version, job: lineage.jobId }, 'model version created');
        return { version: versionMessage(manifest) };
      });
    },

    async getVersion(request) {
      const model = requireName(request.model, 'model');
      if (request.version === 0) throw ServiceError.invalidArgument('missing required field version');
      return guarded(async () => ({ version: versionMessage(await repository.version(model, request.version)) }));
    },

    async listVersions(request) {
      const model = requireName(request.model, 'model');
      return guarded(async () => {
        if (!(await repository.model(model))) throw ServiceError.notFound(`model "${model}" not found`);
        const versions = [];
        for (const version of await repository.versions(model)) {
          versions.push(versionMessage(await repository.version(model, version)));
        }
        return { versions };
      });
    },
  });
}
