export { writeSampleDataset, type SampleDatasetOptions } from './sample-dataset.js';
export { counterValue, incompleteKeys, startTestShardingServer, storedShardDigests, type TestShardingServer } from './shard-sets.js';
export { exited, s3ProcessStore, startS3Process, startShardingProcess, type S3Process, type ShardingProcess } from './processes.js';
