import { layout, parseVersionSegment, StorageError, type FileEntry, type ObjectStore } from '@inception/storage';

export interface ModelRecord {
  formatVersion: 1;
  name: string;
  description: string;
  createdAt: string;
}

export interface AliasRecord {
  version: number;
  protected: boolean;
  updatedAt: string;
}

export interface AliasesDocument {
  formatVersion: 1;
  aliases: Record<string, AliasRecord>;
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
  /** Entity tag, size and SHA-256 of each file at its last successful check. */
  private readonly verifiedFiles = new Map<string, string>();

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

  async names(): Promise<string[]> {
    const prefixes = await this.store.listPrefixes(layout.modelsRoot());
    const names: string[] = [];
    for (const prefix of prefixes) {
      const name = prefix.slice(layout.modelsRoot().length).replace(/\/$/, '');
      if (await this.store.exists(layout.modelRecord(name))) names.push(name);
    }
    return names;
  }

  async aliases(name: string): Promise<AliasesDocument> {
    if (!(await this.store.exists(layout.modelAliases(name)))) return { formatVersion: 1, aliases: {} };
    return this.store.getJson<AliasesDocument>(layout.modelAliases(name));
  }

  /** Replaces the alias document in one PUT, so readers see the old or the new document whole. */
  async putAliases(name: string, document: AliasesDocument): Promise<void> {
    await this.store.putJson(layout.modelAliases(name), document);
  }

  /**
   * Checks every file of a version against its manifest. A file is read and hashed again unless
   * its entity tag and size are the ones it had when it last hashed correctly: any write to the
   * object changes its entity tag, so a file replaced behind the registry's back is always re-read.
   */
  async verify(manifest: VersionManifest): Promise<void> {
    for (const file of manifest.files) {
      const info = await this.store.stat(file.key);
      if (!info) {
        throw new StorageError('integrity', file.key, `${file.key}: listed in ${manifest.model}@${manifest.version} but missing from the bucket`);
      }
      const verifiedAs = this.verifiedFiles.get(file.key);
      if (info.etag && verifiedAs === `${info.etag} ${info.sizeBytes} ${file.sha256}`) continue;
      await this.store.getVerified(file.key, { sha256: file.sha256, sizeBytes: file.sizeBytes });
      if (info.etag) this.verifiedFiles.set(file.key, `${info.etag} ${info.sizeBytes} ${file.sha256}`);
    }
  }

  /** Deletes the manifest first, so a version that is half deleted no longer exists for readers. */
  async deleteVersion(name: string, version: number): Promise<void> {
    await this.store.delete(layout.modelVersionManifest(name, version));
    await this.store.deletePrefix(layout.modelVersionPrefix(name, version));
  }

  /** Writes the manifest last: before it, the version does not exist for readers. */
  async publish(manifest: VersionManifest): Promise<void> {
    await this.store.putJson(layout.modelVersionManifest(manifest.model, manifest.version), manifest);
  }
}
