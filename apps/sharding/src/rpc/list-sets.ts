import path from 'node:path';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { ShardingState, type ListShardSetsResponseSchema, type ShardingProgressSchema, type ShardSetSchema } from '@inception/proto';
import { layout, parseVersionSegment, StorageError, type ObjectStore } from '@inception/storage';
import { goneCoordinatorMessage } from '../storage/progress-record.js';
import { SetObserver } from '../storage/set-observer.js';
import { progressMessage, shardSetMessage } from './convert.js';

type ListResponse = MessageInitShape<typeof ListShardSetsResponseSchema>;

/**
 * Returns the versions of `dataset`, in ascending order. They are read from the dataset's own
 * folder rather than from `shards/<name>/`, whose version folders contain only deeper folders:
 * s3rver 3.7.1 lists no common prefix for a folder without an object two levels down.
 */
async function datasetVersions(store: ObjectStore, dataset: string): Promise<number[]> {
  const prefixes = await store.listPrefixes(layout.datasetRoot(dataset));
  const versions = prefixes.map((prefix) => parseVersionSegment(`${path.posix.basename(prefix)}/`));
  return versions.filter((version): version is number => version !== undefined).sort((a, b) => a - b);
}

/**
 * Lists the shard sets of a dataset version, or of every version when `version` is 0: written
 * sets from their manifests, the others from their progress records. A folder that contains
 * only temporary objects is left out. A dataset or version that does not exist is not-found.
 */
export async function listShardSets(store: ObjectStore, name: string, version: number, staleMs: number): Promise<ListResponse> {
  const shardSets: Array<MessageInitShape<typeof ShardSetSchema>> = [];
  const unfinished: Array<MessageInitShape<typeof ShardingProgressSchema>> = [];
  const versions = version > 0 ? [version] : await datasetVersions(store, name);
  if (versions.length === 0) {
    throw new StorageError('not-found', layout.datasetRoot(name), `dataset "${name}" not found; import it with inception dataset import`);
  }
  if (version > 0 && !(await store.exists(layout.datasetManifest(name, version)))) {
    throw new StorageError('not-found', layout.datasetManifest(name, version), `dataset "${name}" has no version ${version}; list its versions with inception dataset list ${name}`);
  }

  for (const datasetVersion of versions) {
    for (const setPrefix of await store.listPrefixes(layout.shardVersionPrefix(name, datasetVersion))) {
      const setId = path.posix.basename(setPrefix);
      const observation = await new SetObserver(store, { name, version: datasetVersion }, setId, staleMs).observe();

      if (observation.kind === 'written') {
        shardSets.push(shardSetMessage(observation.manifest, observation));
      } else if (observation.kind === 'recorded') {
        const { record, alive } = observation;
        const progress = progressMessage(record.progress);
        if (record.progress.state === 'running' && !alive) {
          progress.state = ShardingState.FAILED;
          progress.error = goneCoordinatorMessage(record);
        }
        unfinished.push(progress);
      }
    }
  }
  return { shardSets, unfinished };
}
