import { fromJson, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { LineageSchema, type AliasSchema, type ModelSchema, type ModelVersionSchema } from '@inception/proto';
import type { AliasRecord, ModelRecord, VersionManifest } from '../storage/model-repository.js';

export function versionMessage(manifest: VersionManifest): MessageInitShape<typeof ModelVersionSchema> {
  return {
    model: manifest.model,
    version: manifest.version,
    lineage: fromJson(LineageSchema, manifest.lineage as never, { ignoreUnknownFields: true }),
    files: manifest.files.map((file) => ({ key: file.key, sizeBytes: BigInt(file.sizeBytes), sha256: file.sha256 })),
    createdAt: timestampFromDate(new Date(manifest.createdAt)),
  };
}

export function modelMessage(record: ModelRecord): MessageInitShape<typeof ModelSchema> {
  return { name: record.name, description: record.description, createdAt: timestampFromDate(new Date(record.createdAt)) };
}

export function aliasMessage(name: string, record: AliasRecord): MessageInitShape<typeof AliasSchema> {
  return { name, version: record.version, protected: record.protected, updatedAt: timestampFromDate(new Date(record.updatedAt)) };
}

/** Page tokens are the last version number of the previous page, in base 10. */
export function parsePageToken(token: string): number {
  if (token === '') return 0;
  const after = Number(token);
  if (!Number.isInteger(after) || after < 0) throw new Error(`page_token "${token}" is invalid: pass next_page_token from the previous response`);
  return after;
}
