// Benchmark of the sharding service: images per second and CPU seconds per process with one
// process, one worker and two workers, against offline baselines that write the same shards to a
// local folder. `npm run bench:shard` (a few minutes), `npm run bench:shard:smoke` (seconds).
// Options: --copies=N (dataset size: N × the 1,000 samples), --rounds=N, --offline-rounds=N
// (rounds that also run the offline baselines, the first ones), --units-per-worker=N,
// --read-ahead=N, --topologies=0,1,2 (worker counts; 0 is one process without workers),
// --compression=none|gzip|zlib, --without-build-image-data, --json, --keep.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Compression, ShardingService } from '@inception/proto';
import { createRpcClient } from '@inception/rpc';
import { s3ProcessStore, startS3Process, storedShardDigests, writeSampleDataset } from '@inception/sharding/testing';
import { makeTempDir, repoRoot } from '@inception/testing';
import { buildBenchImages } from './shard-dataset.js';
import { runBuildImageData, writeShardsWithLibrary, type ShardShape } from './shard-offline.js';
import { processTreeCpuSeconds, startBenchProcesses } from './shard-processes.js';
import { printSummary, summarise, type Round } from './shard-report.js';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    copies: { type: 'string' },
    rounds: { type: 'string' },
    'offline-rounds': { type: 'string' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'units-per-worker': { type: 'string' },
    'read-ahead': { type: 'string' },
    topologies: { type: 'string' },
    'without-build-image-data': { type: 'boolean', default: false },
    compression: { type: 'string', default: 'none' },
  },
});
const copies = Number(flags.copies ?? (flags.smoke ? 1 : 40));
/** Images taken from each class folder of the samples; the smoke run takes 30 of the 100. */
const perClass = flags.smoke ? { train: 24, validation: 6 } : undefined;
const roundCount = Number(flags.rounds ?? (flags.smoke ? 1 : 15));
/**
 * Rounds that run the offline baselines too. The topologies' CPU ratio needs many rounds on a
 * shared machine, while one build-image-data run takes longer than a whole round of the service.
 */
const offlineRoundCount = Math.min(roundCount, Number(flags['offline-rounds'] ?? (flags.smoke ? 1 : 3)));
const compression = flags.compression as ShardShape['compression'];
if (!['none', 'gzip', 'zlib'].includes(compression)) throw new Error(`--compression must be none, gzip or zlib, got "${compression}"`);
const shape: ShardShape = flags.smoke ? { trainShards: 8, validationShards: 2, numThreads: 2, compression } : { trainShards: 32, validationShards: 8, numThreads: 8, compression };
/** ShardDataset's fields for `shape`. */
const shardRequest = { trainShards: shape.trainShards, validationShards: shape.validationShards, numThreads: shape.numThreads, compression: Compression[compression.toUpperCase() as 'NONE' | 'GZIP' | 'ZLIB'] };
/** Units in flight per worker process (default 2), so a worker has a unit to compute while the other waits for the object store. */
const UNITS_PER_WORKER = Number(flags['units-per-worker'] ?? 2);
/** Images each unit downloads ahead (default 16, the service's default). */
const READ_AHEAD_IMAGES = Number(flags['read-ahead'] ?? 16);
const DATASET = { name: 'bench', version: 1 };
/**
 * Topologies by number of worker processes; 0 is one process that writes every unit itself. The
 * smoke run leaves that one out, because starting a process with tsx takes seconds.
 */
const DEFAULT_WORKER_COUNTS = flags.smoke ? [1, 2] : [0, 1, 2];
const WORKER_COUNTS = flags.topologies ? flags.topologies.split(',').map(Number) : DEFAULT_WORKER_COUNTS;

const benchStartedMs = performance.now();
const say = (line: string) => {
  if (!flags.json) console.log(`[${((performance.now() - benchStartedMs) / 1000).toFixed(1).padStart(5)} s] ${line}`);
};

const temp = await makeTempDir('inception-bench-shard-');
const imagesDir = path.join(temp.dir, 'images');
say(`building ${copies} copies of the Fashion-MNIST samples as RGB JPEGs in ${imagesDir}`);
const counts = await buildBenchImages(path.join(repoRoot, 'data/samples/fashion-mnist'), imagesDir, copies, perClass);
const images = counts.train + counts.validation;

const s3 = await startS3Process(path.join(temp.dir, 's3'), temp.dir);
const store = s3ProcessStore(s3);
const manifest = await writeSampleDataset(store, { samplesDir: imagesDir, name: DATASET.name });
say(`dataset ${DATASET.name} v1 in the S3 process: ${counts.train} train + ${counts.validation} validation images; shards ${shape.trainShards} + ${shape.validationShards}, ${shape.numThreads} threads, compression ${compression}`);

// The smoke run leaves build-image-data out: each run starts Node.js and tsx, which takes seconds.
// It writes uncompressed shards only, as build_image_data.py does.
const hasBuildImageData = !flags.smoke && !flags['without-build-image-data'] && compression === 'none' && existsSync(path.join(repoRoot, 'apps/cli/src/commands/build-image-data.ts'));
say(`starting ${WORKER_COUNTS.length} coordinators and ${WORKER_COUNTS.reduce((total, count) => total + count, 0)} workers`);
const benchProcesses = await startBenchProcesses(WORKER_COUNTS, s3.endpoint, temp.dir, UNITS_PER_WORKER, READ_AHEAD_IMAGES);
const clients = new Map([...benchProcesses.topologies].map(([workers, topology]) => [workers, createRpcClient(ShardingService, topology.address, { timeoutMs: 3_600_000 })]));
const topologyNames = Object.fromEntries([...benchProcesses.topologies].map(([workers, topology]) => [`workers-${workers}`, topology.name]));
const loadAverages = [os.loadavg()[0]!];

const rounds: Round[] = [];
let serviceDigests: Record<string, string> | undefined;
let libraryDigests: Record<string, string> | undefined;
let buildImageDataDigests: Record<string, string> | undefined;
try {
  // One untimed run per topology first, except in the smoke run: compiling, connecting, caching the dataset manifest.
  if (!flags.smoke) {
    for (const [workers, client] of clients) await client.shardDataset({ dataset: DATASET, ...shardRequest, seed: BigInt(20_000 + workers) });
  }

  // Rounds run every baseline and topology back to back, so load from other jobs on the machine
  // affects the runs of one round alike. Ratios are taken within a round.
  let seed = 12345;
  for (let round = 0; round < roundCount; round++) {
    say(`round ${round + 1} of ${roundCount}`);
    const offline: Round['offline'] = {};
    if (round < offlineRoundCount) {
      offline.library = await writeShardsWithLibrary(manifest, imagesDir, path.join(temp.dir, 'offline-library'), shape);
      libraryDigests ??= offline.library.digests;
      if (hasBuildImageData) {
        offline['inception build-image-data'] = await runBuildImageData(repoRoot, imagesDir, path.join(temp.dir, 'offline-build-image-data'), shape);
        buildImageDataDigests ??= offline['inception build-image-data'].digests;
      }
    }

    // Every other round runs the topologies in reverse order, so a load that grows or fades
    // during a round weighs on each topology alike.
    const service: Round['service'] = {};
    const topologies = [...benchProcesses.topologies];
    if (round % 2 === 1) topologies.reverse();
    for (const [workers, topology] of topologies) {
      const shardingBefore = topology.processes.map((process) => processTreeCpuSeconds(process.process.child.pid!));
      const s3Before = processTreeCpuSeconds(s3.process.child.pid!);
      const startedMs = performance.now();
      const response = await clients.get(workers)!.shardDataset({ dataset: DATASET, ...shardRequest, seed: BigInt(seed) });
      const seconds = (performance.now() - startedMs) / 1000;
      const shardingCpuSeconds = topology.processes.map((process, index) => processTreeCpuSeconds(process.process.child.pid!) - shardingBefore[index]!);
      service[`workers-${workers}`] = { seconds, images: response.shardSet!.trainRecords + response.shardSet!.validationRecords, shardingCpuSeconds, s3CpuSeconds: processTreeCpuSeconds(s3.process.child.pid!) - s3Before };
      // The baselines shuffle with seed 12345, so this run's shards are the ones to compare.
      if (seed === 12345) serviceDigests = await storedShardDigests(store, DATASET, response.shardSet!.setId);
      seed += 1;
    }
    rounds.push({ offline, service });
    loadAverages.push(os.loadavg()[0]!);
  }
} finally {
  for (const client of clients.values()) client.close();
  await benchProcesses.stop();
  await s3.process.stop(10_000);
}

const summary = summarise(rounds, topologyNames);
const sameAsLibrary = serviceDigests !== undefined && Object.entries(libraryDigests!).every(([name, digest]) => Object.entries(serviceDigests!).some(([key, value]) => key.endsWith(`/${name}`) && value === digest));
const sameAsBuildImageData = buildImageDataDigests ? Object.entries(buildImageDataDigests).every(([name, digest]) => libraryDigests![name] === digest) : undefined;
const report = {
  images,
  copies,
  rounds: roundCount,
  offlineRounds: offlineRoundCount,
  shape,
  unitsPerWorker: UNITS_PER_WORKER,
  readAheadImages: READ_AHEAD_IMAGES,
  loadAverage: { min: Math.min(...loadAverages), max: Math.max(...loadAverages) },
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
  ...summary,
  shardsEqual: { serviceAndLibrary: sameAsLibrary, libraryAndBuildImageData: sameAsBuildImageData },
};

if (flags.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  say('');
  printSummary(summary, say);
  say(`shards byte-identical: service and library ${sameAsLibrary}, library and build-image-data ${sameAsBuildImageData ?? 'not run'}`);
  say(`${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node}, 1-minute load average ${report.loadAverage.min.toFixed(1)} to ${report.loadAverage.max.toFixed(1)}`);
  if (flags.smoke) say('smoke run: too few images to judge the targets; npm run bench:shard measures them');
}

if (!flags.keep) await temp.remove();
else say(`kept ${temp.dir}`);
