/**
 * Load test of the read paths against the local stack. It starts the four services and the
 * embedded S3 server as processes on 127.0.0.1 with bearer tokens required (and mutual TLS with
 * --tls), and creates one dataset, a shard set, a tiny training job and its model version.
 * Then N concurrent clients, each on its own channels with a read-scope token, call GetVersion,
 * ListVersions, GetDataset, ListDatasets, WatchJob (on the finished job) and GetJob in closed
 * loops for a bounded time, client i calling method i modulo 6. The report gives throughput,
 * p50/p99/max latency and errors per method.
 *
 * Run from the repository root: npx tsx tools/bench/load.ts [--duration-seconds=60]
 *   [--clients=16] [--warmup-seconds=2] [--methods=GetVersion,GetJob] [--tls] [--json]
 */
import { cp, mkdir, readdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { JobKind, JobState, type Job } from '@inception/proto';
import { makeTempDir, repoRoot } from '@inception/testing';
import { createClients, type Clients } from '../../apps/cli/src/clients.js';
import { startSecuredStack } from '../../apps/cli/src/stack/secured-stack.js';
import { OPERATIONS, runWorkload, type MethodStats, type WorkloadTargets } from './load-workload.js';

const { values: args } = parseArgs({
  options: {
    'duration-seconds': { type: 'string', default: '60' },
    clients: { type: 'string', default: '16' },
    'warmup-seconds': { type: 'string', default: '2' },
    methods: { type: 'string', default: OPERATIONS.map(([method]) => method).join(',') },
    tls: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
}

const durationSeconds = positive('duration-seconds', args['duration-seconds']!);
const clientCount = Math.round(positive('clients', args.clients!));
const warmupSeconds = Number(args['warmup-seconds']);
if (!(warmupSeconds >= 0)) throw new Error(`--warmup-seconds must be 0 or more, got "${args['warmup-seconds']}"`);
const methods = args.methods!.split(',').map((method) => method.trim());
const unknownMethods = methods.filter((method) => !OPERATIONS.some(([known]) => known === method));
if (unknownMethods.length > 0) throw new Error(`--methods: unknown ${unknownMethods.join(', ')}; use any of ${OPERATIONS.map(([method]) => method).join(', ')}`);
const say = (line: string) => {
  if (!args.json) console.error(line);
};

async function copySamples(target: string): Promise<void> {
  for (const [split, count] of [['train', 4], ['validation', 2]] as const) {
    for (const className of ['bag', 'sandal', 'trouser']) {
      const source = path.join(repoRoot, 'data/samples/fashion-mnist', split, className);
      await mkdir(path.join(target, split, className), { recursive: true });
      for (const file of (await readdir(source)).sort().slice(0, count)) await cp(path.join(source, file), path.join(target, split, className, file));
    }
  }
}

/** Creates the dataset, shard set, training job and model version the workload reads. */
async function prepare(clients: Clients, samplesDir: string): Promise<WorkloadTargets> {
  const imported = await clients.ingestion.importDataset({ name: 'load', trainSource: path.join(samplesDir, 'train'), validationSource: path.join(samplesDir, 'validation') });
  const dataset = imported.dataset!.ref!;
  const sharded = await clients.sharding.shardDataset({ dataset, trainShards: 2, validationShards: 2 });
  const config = { imageSize: 75, depthMultiplier: 0.25, minDepth: 8, batchSize: 4, maxSteps: 2, initialLearningRate: 0.01, numEpochsPerDecay: 1, batchNormDecay: 0.9, movingAverageDecay: 0.9, seed: 1 };
  const submitted = await clients.trainer.submitJob({ spec: { kind: JobKind.TRAIN, dataset, shardSetId: sharded.shardSet!.setId, config, registerModel: 'load-model' } });
  let job: Job = submitted.job!;
  for await (const update of clients.trainer.watchJob({ jobId: job.id })) job = update.job!;
  if (job.state !== JobState.SUCCEEDED) throw new Error(`the setup job ${job.id} ended ${JobState[job.state]}: ${job.error}`);
  const [model, version] = job.modelVersion.split('@');
  const registered = await clients.registry.getVersion({ model: model!, version: Number(version) });
  const versionBytes = registered.version!.files.reduce((sum, file) => sum + Number(file.sizeBytes), 0);
  say(`model version ${job.modelVersion}: ${registered.version!.files.length} files, ${(versionBytes / 1e6).toFixed(1)} MB, which GetVersion reads and hashes on every call`);
  return { dataset, model: model!, version: Number(version), jobId: job.id };
}

function table(stats: MethodStats[], seconds: number): string {
  const rows = stats.map((row) => {
    const codes = Object.entries(row.errorCodes).map(([code, count]) => `${code} ${count}`).join(', ');
    return `| ${row.method} | ${row.clients} | ${row.calls} | ${row.callsPerSecond.toFixed(0)} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ${row.maxMs.toFixed(1)} | ${row.errors}${codes ? ` (${codes})` : ''} |`;
  });
  const calls = stats.reduce((sum, row) => sum + row.calls, 0);
  const errors = stats.reduce((sum, row) => sum + row.errors, 0);
  return [
    '| method | clients | calls | calls/s | p50 ms | p99 ms | max ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    `| all | ${stats.reduce((sum, row) => sum + row.clients, 0)} | ${calls} | ${(calls / seconds).toFixed(0)} | | | | ${errors} |`,
  ].join('\n');
}

const temp = await makeTempDir('inception-load-');
const secured = await startSecuredStack({ dataDir: temp.dir, mutualTls: args.tls, env: { LOG_LEVEL: 'info' }, onReady: (name, detail) => say(`${name} ready at ${detail}`) });
const clientsList: Clients[] = [];
try {
  await copySamples(path.join(temp.dir, 'samples'));
  const setupClients = secured.connect();
  say('creating the dataset, shard set, training job and model version');
  const targets = await prepare(setupClients, path.join(temp.dir, 'samples'));
  setupClients.close();

  const services = secured.stack.services;
  const readSecurity = { ...secured.clientSecurity, token: secured.tokens.read };
  for (let index = 0; index < clientCount; index++) {
    clientsList.push(createClients({ ingestion: services.ingestion.grpc, sharding: services.sharding.grpc, registry: services.registry.grpc, trainer: services.trainer.grpc }, readSecurity));
  }
  say(`running ${clientCount} clients for ${durationSeconds} s after ${warmupSeconds} s of warm-up`);
  const loadBefore = loadavg()[0]!;
  const startMs = Date.now();
  const stats = await runWorkload(clientsList, targets, startMs + warmupSeconds * 1000, startMs + (warmupSeconds + durationSeconds) * 1000, methods);

  // The 1-minute load average of the whole machine, since other work on it changes the figures.
  const loadAverage = { before: Number(loadBefore.toFixed(1)), after: Number(loadavg()[0]!.toFixed(1)) };
  const setup = { loadAverage, clients: clientCount, durationSeconds, warmupSeconds, transport: args.tls ? 'mutual-tls' : 'plaintext', authentication: 'bearer', cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version };
  if (args.json) {
    console.log(JSON.stringify({ setup, methods: stats }, null, 2));
  } else {
    console.log(`${clientCount} clients, ${durationSeconds} s, ${setup.transport}, bearer tokens, ${setup.cpus} × ${setup.cpuModel}, Node ${setup.node}, load average ${loadAverage.before} before and ${loadAverage.after} after\n`);
    console.log(table(stats, durationSeconds));
  }
} finally {
  for (const clients of clientsList) clients.close();
  await secured.stack.stop();
  await temp.remove();
}
