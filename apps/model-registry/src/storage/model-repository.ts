import { layout, parseVersionSegment, type FileEntry, type ObjectStore } from '@inception/storage';

export interface ModelRecord {
  formatVersion: 1;
  name: string;
  description: string;
  createdAt: string;
}

export interface VersionManifest {
  formatVersion: 1;
  model: string;
  version: number;
  createdAt: string;
  files: FileEntry[];
  /** The Lineage message in protobuf JSON form. */
  lineage: unknown;
}

/** Models and their versions in the bucket; a version exists once its manifest does. */
export class ModelRepository {
  constructor(private readonly store: ObjectStore) {}

  async model(name: string): Promise<ModelRecord | undefined> {
    if (!(await this.store.exists(layout.modelRecord(name)))) return undefined;
    return this.store.getJson<ModelRecord>(layout.modelRecord(name));
  }

  async putModel(record: ModelRecord): Promise<void> {
    await this.store.putJson(layout.modelRecord(record.name), record);
  }

  async versions(name: string): Promise<number[]> {
    const root = `models/${name}/versions/`;
    const versions: number[] = [];
    for (const prefix of await this.store.listPrefixes(root)) {
      const version = parseVersionSegment(`v${prefix.slice(root.length)}`);
      if (version !== undefined && (await this.store.exists(layout.modelVersionManifest(name, version)))) {
        versions.push(version);
      }
    }
    return versions.sort((a, b) => a - b);
  }

  async version(name: string, version: number): Promise<VersionManifest> {
    return this.store.getJson<VersionManifest>(layout.modelVersionManifest(name, version));
  }

  /** Copies one file into the version folder and returns where it went. */
  async copyFile(name: string, version: number, file: { name: string; sourceKey: string; sha256: string; sizeBytes: number }): Promise<FileEntry> {
    const key = `${layout.modelVersionPrefix(name, version)}${file.name}`;
    const bytes = await this.store.getVerified(file.sourceKey, { sha256: file.sha256, sizeBytes: file.sizeBytes });
    const written = await this.store.put(key, bytes);
    return { name: file.name, key, sizeBytes: written.sizeBytes, sha256: written.sha256 };
  }

  /** Writes the manifest last: before it, the version does not exist for readers. */
  async publish(manifest: VersionManifest): Promise<void> {
    await this.store.putJson(layout.modelVersionManifest(manifest.model, manifest.version), manifest);
  }
}
