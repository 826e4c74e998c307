/**
 * Object keys of the bucket layout shared by all services. A manifest is written only after
 * everything it lists is complete, so a reader that finds a manifest finds whole data.
 */
export const layout = {
  /**
   * Normalised images, packed: each pack contains many JPEGs end to end, and manifests give each
   * image's pack, offset, size and SHA-256. One object per image would cost an S3 request per
   * image at import and make a dataset of 100,000 images 100,000 objects.
   */
  datasetPack: (dataset: string, packId: string) => `datasets/${dataset}/packs/${packId}.pack`,
  datasetPacksPrefix: (dataset: string) => `datasets/${dataset}/packs/`,
  datasetVersionPrefix: (dataset: string, version: number) => `datasets/${dataset}/v${version}/`,
  datasetManifest: (dataset: string, version: number) => `datasets/${dataset}/v${version}/manifest.json`,
  datasetLabels: (dataset: string, version: number) => `datasets/${dataset}/v${version}/labels.txt`,
  datasetsRoot: () => 'datasets/',

  datasetRoot: (dataset: string) => `datasets/${dataset}/`,
  shardVersionPrefix: (dataset: string, version: number) => `shards/${dataset}/v${version}/`,
  shardSetPrefix: (dataset: string, version: number, setId: string) => `shards/${dataset}/v${version}/${setId}/`,
  shardSetManifest: (dataset: string, version: number, setId: string) => `shards/${dataset}/v${version}/${setId}/manifest.json`,
  /** Unpublished shard bytes; kept out of the `<split>-*` names so no reader picks them up. */
  shardTemporary: (dataset: string, version: number, setId: string, name: string, attempt: string) =>
    `shards/${dataset}/v${version}/${setId}/_incomplete/${name}.${attempt}`,

  runPrefix: (jobId: string) => `runs/${jobId}/`,
  runJob: (jobId: string) => `runs/${jobId}/job.json`,
  runEvents: (jobId: string) => `runs/${jobId}/events.jsonl`,
  runsRoot: () => 'runs/',
  checkpointPrefix: (jobId: string, step: number) => `runs/${jobId}/checkpoints/step-${step}/`,

  modelRecord: (model: string) => `models/${model}/model.json`,
  modelVersionPrefix: (model: string, version: number) => `models/${model}/versions/${version}/`,
  modelVersionManifest: (model: string, version: number) => `models/${model}/versions/${version}/manifest.json`,
  modelAliases: (model: string) => `models/${model}/aliases.json`,
  modelsRoot: () => 'models/',
};

/** Reads the version number out of a key segment such as "v12/". */
export function parseVersionSegment(segment: string): number | undefined {
  const match = /^v(\d+)\/?$/.exec(segment);
  return match ? Number(match[1]) : undefined;
}
