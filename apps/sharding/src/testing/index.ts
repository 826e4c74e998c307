export { writeSampleDataset, type SampleDatasetOptions } from './sample-dataset.js';
export { incompleteKeys, startTestShardingServer, storedShardDigests, type TestShardingServer } from './shard-sets.js';
