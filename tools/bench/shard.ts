// Benchmark of the sharding service: images per second and CPU seconds per process with one
// process, one worker and two workers, against offline baselines that write the same shards to a
// local folder. `npm run bench:shard` (a few minutes), `npm run bench:shard:smoke` (seconds).
// Options: --copies=N (dataset size: N × the 1,000 samples), --rounds=N, --json, --keep.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ShardingService } from '@inception/proto';
import { createRpcClient } from '@inception/rpc';
import { s3ProcessStore, startS3Process, storedShardDigests, writeSampleDataset } from '@inception/sharding/testing';
import { makeTempDir, repoRoot } from '@inception/testing';
import { buildBenchImages } from './shard-dataset.js';
import { runBuildImageData, writeShardsWithLibrary, type OfflineRun, type ShardShape } from './shard-offline.js';
import { processTreeCpuSeconds, startBenchProcesses } from './shard-processes.js';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    copies: { type: 'string' },
    rounds: { type: 'string' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const copies = Number(flags.copies ?? (flags.smoke ? 1 : 10));
/** Images taken from each class folder of the samples; the smoke run takes 30 of the 100. */
const perClass = flags.smoke ? { train: 24, validation: 6 } : undefined;
const rounds = Number(flags.rounds ?? (flags.smoke ? 1 : 3));
const shape: ShardShape = flags.smoke ? { trainShards: 8, validationShards: 2, numThreads: 2 } : { trainShards: 32, validationShards: 8, numThreads: 8 };
/** Units in flight per worker process: two, so a worker has a unit to compute while the other waits for the object store. */
const UNITS_PER_WORKER = 2;
const DATASET = { name: 'bench', version: 1 };
/**
 * Topologies by number of worker processes; 0 is one process that writes every unit itself. The
 * smoke run leaves that one out, because starting a process with tsx takes seconds.
 */
const WORKER_COUNTS = flags.smoke ? [1, 2] : [0, 1, 2];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const benchStartedMs = performance.now();
const say = (line: string) => {
  if (!flags.json) console.log(`[${((performance.now() - benchStartedMs) / 1000).toFixed(1).padStart(5)} s] ${line}`);
};

interface ServiceRound {
  seconds: number;
  images: number;
  /** CPU seconds of each sharding process, coordinator first. */
  shardingCpuSeconds: number[];
  s3CpuSeconds: number;
}

const temp = await makeTempDir('inception-bench-shard-');
const imagesDir = path.join(temp.dir, 'images');
say(`building ${copies} copies of the Fashion-MNIST samples as RGB JPEGs in ${imagesDir}`);
const counts = await buildBenchImages(path.join(repoRoot, 'data/samples/fashion-mnist'), imagesDir, copies, perClass);
const images = counts.train + counts.validation;

const s3 = await startS3Process(path.join(temp.dir, 's3'), temp.dir);
const store = s3ProcessStore(s3);
const manifest = await writeSampleDataset(store, { samplesDir: imagesDir, name: DATASET.name });
say(`dataset ${DATASET.name} v1 in the S3 process: ${counts.train} train + ${counts.validation} validation images; shards ${shape.trainShards} + ${shape.validationShards}, ${shape.numThreads} threads`);

say('offline runs');
const offline: Record<string, OfflineRun[]> = { library: [] };
for (let round = 0; round < rounds; round++) {
  offline.library!.push(await writeShardsWithLibrary(manifest, imagesDir, path.join(temp.dir, 'offline-library'), shape));
}
// The smoke run leaves it out: each run starts Node.js and tsx, which takes seconds.
const hasBuildImageData = !flags.smoke && existsSync(path.join(repoRoot, 'apps/cli/src/commands/build-image-data.ts'));
if (hasBuildImageData) {
  offline.buildImageData = [];
  for (let round = 0; round < rounds; round++) {
    offline.buildImageData.push(await runBuildImageData(repoRoot, imagesDir, path.join(temp.dir, 'offline-build-image-data'), shape));
  }
}

const service: Record<string, ServiceRound[]> = {};
const topologyNames: Record<string, string> = {};
let seed = 12345;
let serviceDigests: Record<string, string> | undefined;
say(`starting ${WORKER_COUNTS.length} coordinators and ${Math.max(...WORKER_COUNTS)} workers`);
const benchProcesses = await startBenchProcesses(WORKER_COUNTS, s3.endpoint, temp.dir, UNITS_PER_WORKER);
say('sharding processes ready');
try {
  for (const [workers, topology] of benchProcesses.topologies) {
    const key = `workers-${workers}`;
    topologyNames[key] = topology.name;
    service[key] = [];
    const client = createRpcClient(ShardingService, topology.address, { timeoutMs: 3_600_000 });
    try {
      // One untimed run first, except in the smoke run: compiling, connecting, caching the dataset manifest.
      if (!flags.smoke) await client.shardDataset({ dataset: DATASET, ...shape, seed: BigInt(seed + 1_000) });
      for (let round = 0; round < rounds; round++) {
        const shardingBefore = topology.processes.map((process) => processTreeCpuSeconds(process.process.child.pid!));
        const s3Before = processTreeCpuSeconds(s3.process.child.pid!);
        const startedMs = performance.now();
        const response = await client.shardDataset({ dataset: DATASET, ...shape, seed: BigInt(seed) });
        const seconds = (performance.now() - startedMs) / 1000;
        const shardingCpuSeconds = topology.processes.map((process, index) => processTreeCpuSeconds(process.process.child.pid!) - shardingBefore[index]!);
        service[key]!.push({ seconds, images: response.shardSet!.trainRecords + response.shardSet!.validationRecords, shardingCpuSeconds, s3CpuSeconds: processTreeCpuSeconds(s3.process.child.pid!) - s3Before });
        if (seed === 12345) serviceDigests = await storedShardDigests(store, DATASET, response.shardSet!.setId);
        seed += 1;
      }
    } finally {
      client.close();
    }
  }
} finally {
  await benchProcesses.stop();
}
await s3.process.stop(10_000);

// Report: medians over the rounds.
const offlineSummary = Object.fromEntries(
  Object.entries(offline).map(([name, runs]) => [name, { imagesPerSecond: median(runs.map((run) => run.images / run.seconds)), cpuSeconds: median(runs.map((run) => run.cpuSeconds)) }]),
);
const serviceSummary = Object.fromEntries(
  Object.entries(service).map(([key, runs]) => {
    const shardingCpu = median(runs.map((run) => run.shardingCpuSeconds.reduce((sum, value) => sum + value, 0)));
    return [
      key,
      {
        topology: topologyNames[key],
        imagesPerSecond: median(runs.map((run) => run.images / run.seconds)),
        shardingCpuSecondsPerProcess: runs[0]!.shardingCpuSeconds.map((_, index) => median(runs.map((run) => run.shardingCpuSeconds[index]!))),
        shardingCpuSeconds: shardingCpu,
        imagesPerShardingCpuSecond: median(runs.map((run) => run.images / run.shardingCpuSeconds.reduce((sum, value) => sum + value, 0))),
        s3CpuSeconds: median(runs.map((run) => run.s3CpuSeconds)),
      },
    ];
  }),
);
const libraryDigests = offline.library![0]!.digests;
const sameAsLibrary = serviceDigests !== undefined && Object.entries(libraryDigests).every(([name, digest]) => Object.entries(serviceDigests!).some(([key, value]) => key.endsWith(`/${name}`) && value === digest));
const sameAsBuildImageData = offline.buildImageData ? Object.entries(offline.buildImageData[0]!.digests).every(([name, digest]) => libraryDigests[name] === digest) : undefined;
const ratios = {
  cpuEfficiencyTwoWorkersOverOne: serviceSummary['workers-2']!.imagesPerShardingCpuSecond / serviceSummary['workers-1']!.imagesPerShardingCpuSecond,
  serviceOverLibrary: Object.fromEntries(Object.entries(serviceSummary).map(([key, value]) => [key, value.imagesPerSecond / offlineSummary.library!.imagesPerSecond])),
  serviceOverBuildImageData: offlineSummary.buildImageData
    ? Object.fromEntries(Object.entries(serviceSummary).map(([key, value]) => [key, value.imagesPerSecond / offlineSummary.buildImageData!.imagesPerSecond]))
    : undefined,
};
const report = { images, copies, rounds, shape, offline: offlineSummary, service: serviceSummary, ratios, shardsEqual: { serviceAndLibrary: sameAsLibrary, libraryAndBuildImageData: sameAsBuildImageData } };

if (flags.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  say('');
  for (const [name, value] of Object.entries(offlineSummary)) say(`offline ${name.padEnd(15)} ${value.imagesPerSecond.toFixed(0).padStart(7)} images/s, ${value.cpuSeconds.toFixed(2)} CPU s`);
  for (const value of Object.values(serviceSummary)) {
    say(`service ${value.topology!.padEnd(32)} ${value.imagesPerSecond.toFixed(0).padStart(7)} images/s, sharding CPU ${value.shardingCpuSecondsPerProcess.map((seconds) => seconds.toFixed(2)).join(' + ')} s = ${value.imagesPerShardingCpuSecond.toFixed(0)} images per CPU s, S3 CPU ${value.s3CpuSeconds.toFixed(2)} s`);
  }
  say(`images per sharding CPU second, 2 workers / 1 worker: ${ratios.cpuEfficiencyTwoWorkersOverOne.toFixed(2)} (target ≥ 0.9)`);
  for (const [key, ratio] of Object.entries(ratios.serviceOverLibrary)) say(`service ${key} / offline library: ${ratio.toFixed(2)} (target ≥ 0.5)`);
  for (const [key, ratio] of Object.entries(ratios.serviceOverBuildImageData ?? {})) say(`service ${key} / inception build-image-data: ${ratio.toFixed(2)} (target ≥ 0.5)`);
  say(`shards equal: service and library ${sameAsLibrary}, library and build-image-data ${sameAsBuildImageData ?? 'not run'}`);
}

if (!flags.keep) await temp.remove();
else say(`kept ${temp.dir}`);
