import { layout, parseVersionSegment, type DatasetManifest, type ObjectStore, type PutResult } from '@inception/storage';

/** Dataset versions in the bucket: `datasets/<name>/v<N>/manifest.json` marks a complete version. */
export class DatasetRepository {
  constructor(private readonly store: ObjectStore) {}

  /** Version numbers of `name` that have a manifest, ascending. */
  async versions(name: string): Promise<number[]> {
    const prefixes = await this.store.listPrefixes(`datasets/${name}/`);
    const versions: number[] = [];
    for (const prefix of prefixes) {
      const version = parseVersionSegment(prefix.slice(`datasets/${name}/`.length));
      if (version !== undefined && (await this.store.exists(layout.datasetManifest(name, version)))) {
        versions.push(version);
      }
    }
    return versions.sort((a, b) => a - b);
  }

  async names(): Promise<string[]> {
    const prefixes = await this.store.listPrefixes(layout.datasetsRoot());
    return prefixes.map((prefix) => prefix.slice(layout.datasetsRoot().length).replace(/\/$/, ''));
  }

  async manifest(name: string, version: number): Promise<DatasetManifest> {
    return this.store.getJson<DatasetManifest>(layout.datasetManifest(name, version));
  }

  /** Finds a version of `name` whose content digest equals `contentSha256`. */
  async findByContent(name: string, contentSha256: string): Promise<DatasetManifest | undefined> {
    for (const version of (await this.versions(name)).reverse()) {
      const manifest = await this.manifest(name, version);
      if (manifest.contentSha256 === contentSha256) {
        return manifest;
      }
    }
    return undefined;
  }

  async hasImage(name: string, sha256: string): Promise<boolean> {
    return this.store.exists(layout.datasetImage(name, sha256));
  }

  async putImage(name: string, sha256: string, jpegBytes: Uint8Array): Promise<PutResult> {
    return this.store.put(layout.datasetImage(name, sha256), jpegBytes, 'image/jpeg');
  }

  /** Publishes a version: labels first, the manifest last, so a manifest always means a whole version. */
  async publish(manifest: DatasetManifest): Promise<PutResult> {
    await this.store.put(layout.datasetLabels(manifest.name, manifest.version), `${manifest.labels.join('\n')}\n`, 'text/plain');
    return this.store.putJson(layout.datasetManifest(manifest.name, manifest.version), manifest);
  }
}
