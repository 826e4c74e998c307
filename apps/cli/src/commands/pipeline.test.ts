import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { normalizeImage, preprocessForEval } from '@inception/imaging';
import path from 'node:path';
import { ingestionHandlers, ingestionMetrics } from '@inception/ingestion';
import { Classifier, registryHandlers, registryMetrics } from '@inception/model-registry';
import { GrpcStatus, createRpcClient, checkHealth, ServiceError, startRpcServer, type RpcServer } from '@inception/rpc';
import { shardingHandlers, shardingMetrics } from '@inception/sharding';
import { layout, type DatasetManifest } from '@inception/storage';
import { createLogger, createMetricsRegistry, startMetricsServer, type MetricsServer } from '@inception/telemetry';
import { makeTempDir, repoRoot, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { parseImageExample, readTFRecords } from '@inception/tfrecord';
import { initBackend } from '@inception/tf-runtime';
import { JobRunner, trainerHandlers, trainerMetrics } from '@inception/trainer';
import { buildInceptionV3, listModelVariables } from '@inception/inception';
import { IngestionService, JobKind, JobState, RegistryService, ShardingService, TrainerService, type Job } from '@inception/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../build-image-data/test-support/run-cli.js';
import { createClients, type Clients } from '../clients.js';
import { demoJson } from './demo.js';
import { exportVersion } from './models-export.js';
import { runPipeline, type PipelineResult } from './pipeline.js';

const CLASSES = ['bag', 'sandal', 'trouser'];
const TRAIN_PER_CLASS = 6;
const VALIDATION_PER_CLASS = 2;

let harness: TestObjectStore;
let servers: Record<'ingestion' | 'sharding' | 'registry' | 'trainer', RpcServer>;
let runner: JobRunner;
let trainerMetricsServer: MetricsServer;
let clients: Clients;
let result: PipelineResult;
let removeTemp: () => Promise<void>;
let sampleDir: string;
let evaluationJobId: string;

async function copySubset(split: string, perClass: number, target: string): Promise<void> {
  for (const className of CLASSES) {
    const source = path.join(repoRoot, 'data/samples/fashion-mnist', split, className);
    const files = (await readdir(source)).sort().slice(0, perClass);
    await mkdir(path.join(target, split, className), { recursive: true });
    for (const file of files) await cp(path.join(source, file), path.join(target, split, className, file));
  }
}

async function waitForJob(jobId: string): Promise<Job> {
  let last: Job | undefined;
  for await (const update of clients.trainer.watchJob({ jobId })) last = update.job;
  return last!;
}

beforeAll(async () => {
  const temp = await makeTempDir('inception-pipeline-');
  removeTemp = temp.remove;
  sampleDir = temp.dir;
  await copySubset('train', TRAIN_PER_CLASS, sampleDir);
  await copySubset('validation', VALIDATION_PER_CLASS, sampleDir);

  harness = await startTestObjectStore();
  const store = harness.store;
  const logger = createLogger('test', 'silent');
  const backend = await initBackend({});
  servers = {} as typeof servers;
  servers.ingestion = await startRpcServer({ name: 'ingestion', logger, services: [ingestionHandlers({ store, metrics: ingestionMetrics(createMetricsRegistry('i')), maxImagePixels: 1e8, concurrency: 4 })] });
  servers.sharding = await startRpcServer({ name: 'sharding', logger, services: [shardingHandlers({ store, metrics: shardingMetrics(createMetricsRegistry('s')), concurrency: 2, unitTimeoutMs: 60_000, unitAttempts: 2 }).registration] });
  servers.registry = await startRpcServer({ name: 'registry', logger, services: [registryHandlers({ store, metrics: registryMetrics(createMetricsRegistry('r')), classifier: new Classifier(store) })] });
  const registryClient = createRpcClient(RegistryService, servers.registry.address);
  const trainerRegistry = createMetricsRegistry('inception_trainer');
  trainerMetricsServer = await startMetricsServer(trainerRegistry, '127.0.0.1', 0);
  runner = new JobRunner({ store, logger, metrics: trainerMetrics(trainerRegistry), backend: backend.backend, registry: registryClient, logEverySteps: 1, preprocessConcurrency: 2, pollIntervalMs: 100 });
  runner.start();
  servers.trainer = await startRpcServer({ name: 'trainer', logger, services: [trainerHandlers(runner)] });

  clients = createClients({ ingestion: servers.ingestion.address, sharding: servers.sharding.address, registry: servers.registry.address, trainer: servers.trainer.address });
  result = await runPipeline(
    clients,
    {
      datasetName: 'pipeline-test',
      trainDirectory: path.join(sampleDir, 'train'),
      validationDirectory: path.join(sampleDir, 'validation'),
      trainShards: 2,
      validationShards: 2,
      modelName: 'pipeline-test-model',
      training: { imageSize: 75, depthMultiplier: 0.25, minDepth: 8, batchSize: 4, maxSteps: 3, initialLearningRate: 0.01, numEpochsPerDecay: 30, batchNormDecay: 0.9, movingAverageDecay: 0.9, seed: 7 },
    },
    () => {},
  );
}, 300_000);

afterAll(async () => {
  clients?.close();
  await runner?.shutdown();
  await trainerMetricsServer?.stop();
  for (const server of Object.values(servers ?? {})) await server.shutdown();
  await harness?.stop();
  await removeTemp?.();
});

describe('pipeline through real gRPC servers and s3rver', () => {
  it('imports every sample image with labels 1..N', async () => {
    expect(result.dataset.trainImages).toBe(CLASSES.length * TRAIN_PER_CLASS);
    expect(result.dataset.validationImages).toBe(CLASSES.length * VALIDATION_PER_CLASS);
    const manifest = await harness.store.getJson<DatasetManifest>(layout.datasetManifest('pipeline-test', result.dataset.version));
    expect(manifest.labels).toEqual(CLASSES);
    expect(new Set(manifest.images.train.map((image) => image.label))).toEqual(new Set([1, 2, 3]));
  });

  it('writes shards whose records match the dataset manifest', async () => {
    const manifest = await harness.store.getJson<DatasetManifest>(layout.datasetManifest('pipeline-test', result.dataset.version));
    const shardSet = await harness.store.getJson<{ shards: Array<{ key: string; split: 'train' | 'validation'; records: number }> }>(layout.shardSetManifest('pipeline-test', result.dataset.version, result.shardSet.setId));
    expect(shardSet.shards.map((shard) => path.posix.basename(shard.key))).toEqual(['train-00000-of-00002', 'train-00001-of-00002', 'validation-00000-of-00002', 'validation-00001-of-00002']);
    for (const split of ['train', 'validation'] as const) {
      const expected = manifest.images[split].map((image) => `${image.label} ${image.className} ${image.sha256}`).sort();
      const found: string[] = [];
      for (const shard of shardSet.shards.filter((entry) => entry.split === split)) {
        const stream = await harness.store.getStream(shard.key);
        for await (const record of readTFRecords(stream, { compression: 'auto', fileName: shard.key })) {
          const example = parseImageExample(record.data);
          found.push(`${example.label} ${example.text} ${createHash('sha256').update(example.encoded).digest('hex')}`);
        }
      }
      expect(found.sort()).toEqual(expected);
    }
  });

  it('registers a version whose lineage names its inputs', async () => {
    const lineage = result.version.lineage!;
    expect(result.version.model).toBe('pipeline-test-model');
    expect(lineage.dataset?.name).toBe('pipeline-test');
    expect(lineage.dataset?.version).toBe(result.dataset.version);
    expect(lineage.shardSetId).toBe(result.shardSet.setId);
    expect(lineage.jobId).toBe(result.job.id);
    expect(lineage.hyperParameters.batchSize).toBe('4');
    expect(lineage.hyperParameters.maxSteps).toBe('3');
    expect(lineage.metrics?.examples).toBe(CLASSES.length * VALIDATION_PER_CLASS);
    expect(lineage.numClasses).toBe(CLASSES.length + 1);
    expect(lineage.steps).toBe(3);
    expect(result.version.files.length).toBeGreaterThan(0);
  });

  it('stores version files with the recorded digests', async () => {
    for (const file of result.version.files) {
      await expect(harness.store.getVerified(file.key, { sha256: file.sha256, sizeBytes: Number(file.sizeBytes) })).resolves.toBeInstanceOf(Buffer);
    }
  });

  it('returns the existing dataset version for a second identical import', async () => {
    const again = await clients.ingestion.importDataset({ name: 'pipeline-test', trainSource: path.join(sampleDir, 'train'), validationSource: path.join(sampleDir, 'validation') });
    expect(again.created).toBe(false);
    expect(again.dataset?.ref?.version).toBe(result.dataset.version);
  });

  it('exports training metrics at /metrics', async () => {
    const text = await (await fetch(trainerMetricsServer.url)).text();
    for (const name of ['inception_trainer_loss', 'inception_trainer_learning_rate', 'inception_trainer_steps_total', 'inception_trainer_examples_per_second', 'inception_trainer_step_duration_seconds_bucket', 'inception_trainer_process_cpu_seconds_total']) {
      expect(text, name).toContain(name);
    }
    expect(text).toMatch(new RegExp(`inception_trainer_loss\\{training_job="${result.job.id}",part="total"\\} [0-9.]+`));
    expect(text).toMatch(/inception_trainer_steps_total 3\b/);
  });

  it('fine-tunes with another class count, restoring every non-logits tensor', async () => {
    const twoClasses = path.join(sampleDir, 'two-classes');
    for (const split of ['train', 'validation']) {
      for (const className of CLASSES.slice(0, 2)) {
        await cp(path.join(sampleDir, split, className), path.join(twoClasses, split, className), { recursive: true });
      }
    }
    const imported = await clients.ingestion.importDataset({ name: 'fine-tune-test', trainSource: path.join(twoClasses, 'train'), validationSource: path.join(twoClasses, 'validation') });
    const sharded = await clients.sharding.shardDataset({ dataset: imported.dataset!.ref, trainShards: 2, validationShards: 2 });
    const submitted = await clients.trainer.submitJob({
      spec: {
        kind: JobKind.FINE_TUNE,
        dataset: imported.dataset!.ref,
        shardSetId: sharded.shardSet!.setId,
        baseModelVersion: `${result.version.model}@${result.version.version}`,
        config: { batchSize: 4, maxSteps: 2, initialLearningRate: 0.001, batchNormDecay: 0.9, movingAverageDecay: 0.9 },
        registerModel: 'fine-tune-test-model',
      },
    });
    const job = await waitForJob(submitted.job!.id);

    const variables = listModelVariables(buildInceptionV3({ numClasses: 3, imageSize: 75, depthMultiplier: 0.25, minDepth: 8, auxLogits: false }));
    const nonLogits = variables.filter((variable) => !variable.name.startsWith('logits/logits/'));
    expect(job.error).toBe('');
    expect(job.state).toBe(JobState.SUCCEEDED);
    expect(job.restoredTensors).toBe(nonLogits.length);
    const version = await clients.registry.getVersion({ model: 'fine-tune-test-model', version: 1 });
    expect(version.version?.lineage?.baseModelVersion).toBe(`${result.version.model}@${result.version.version}`);
    expect(version.version?.lineage?.numClasses).toBe(3);
  });

  it('evaluates a registered version', async () => {
    const submitted = await clients.trainer.submitJob({
      spec: { kind: JobKind.EVALUATE, dataset: { name: 'pipeline-test', version: result.dataset.version }, shardSetId: result.shardSet.setId, baseModelVersion: `${result.version.model}@${result.version.version}`, config: { batchSize: 4 } },
    });
    const job = await waitForJob(submitted.job!.id);
    expect(job.state).toBe(JobState.SUCCEEDED);
    expect(job.eval?.examples).toBe(CLASSES.length * VALIDATION_PER_CLASS);
    expect(job.eval?.precisionAt1).toBeCloseTo(result.job.eval!.precisionAt1, 6);
    const evaluation = await harness.store.getJson<{ confusion: number[][] }>(job.evaluationKey);
    expect(evaluation.confusion.flat().reduce((sum, count) => sum + count, 0)).toBe(CLASSES.length * VALIDATION_PER_CLASS);
  });

  it('evaluates an alias given to eval --base', async () => {
    await clients.registry.setAlias({ model: result.version.model, alias: 'production', version: result.version.version });

    const run = await runCli([
      'eval', '--trainer', servers.trainer.address, '--registry', servers.registry.address,
      '--dataset', `pipeline-test@${result.dataset.version}`, '--shard-set', result.shardSet.setId, '--base', `${result.version.model}@production`, '--json',
    ]);
    const submitted = JSON.parse(run.stdout) as { id: string; spec: { baseModelVersion: string } };
    const job = await waitForJob(submitted.id);

    expect(run.exitCode).toBe(0);
    expect(submitted.spec.baseModelVersion).toBe(`${result.version.model}@${result.version.version}`);
    expect(job.state).toBe(JobState.SUCCEEDED);
    evaluationJobId = submitted.id;
  });

  it('shows only evaluation fields of an evaluation job', async () => {
    const run = await runCli(['jobs', '--trainer', servers.trainer.address, 'show', evaluationJobId]);
    const lines = run.stdout.trimEnd().split('\n');

    expect(run.exitCode).toBe(0);
    expect(lines[0]).toMatch(new RegExp(`^${evaluationJobId}  evaluate  succeeded precision@1 \\d\\.\\d{4}$`));
    expect(lines.find((line) => line.startsWith('  model '))).toMatch(new RegExp(`^  model {8}${result.version.model}@${result.version.version} \\(\\d+ tensors restored\\)$`));
    expect(lines.find((line) => line.startsWith('  config '))).toBe('  config       image size 75, depth multiplier 0.25, batch 32');
    expect(run.stdout).not.toMatch(/\d+ steps|learning rate|seed \d|^ {2}checkpoint /m);
  });

  it('shows training fields of a training job', async () => {
    const run = await runCli(['jobs', '--trainer', servers.trainer.address, 'show', result.job.id]);
    const config = run.stdout.split('\n').find((line) => line.startsWith('  config '));

    expect(run.exitCode).toBe(0);
    expect(config).toBe('  config       image size 75, depth multiplier 0.25, batch 4, 3 steps, learning rate 0.01, seed 7');
    expect(run.stdout).toContain('  checkpoint   runs/');
  });

  it('names a missing alias given to fine-tune --base', async () => {
    const run = await runCli([
      'fine-tune', '--trainer', servers.trainer.address, '--registry', servers.registry.address,
      '--dataset', `pipeline-test@${result.dataset.version}`, '--shard-set', result.shardSet.setId, '--base', `${result.version.model}@nightly`, '--steps', '2',
    ]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`model "${result.version.model}" has no alias "nightly"`);
    expect(run.stdout).toBe('');
  });

  it('classifies an image with the top 5 classes', async () => {
    const image = await readFile(path.join(sampleDir, 'validation', CLASSES[0]!, (await readdir(path.join(sampleDir, 'validation', CLASSES[0]!)))[0]!));
    const response = await clients.registry.classify({ model: result.version.model, version: result.version.version, image });
    const probabilities = response.predictions.map((prediction) => prediction.probability);
    expect(response.predictions).toHaveLength(4);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    expect(probabilities.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 5);
    expect(response.predictions.map((prediction) => prediction.className).sort()).toEqual(['(background)', ...CLASSES].sort());
  });

  it('rejects a Classify image above 4 MiB', async () => {
    const error = (await clients.registry.classify({ model: result.version.model, version: result.version.version, image: new Uint8Array(4 * 1024 * 1024 + 1) }).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error.message).toContain('4 MiB');
  });

  it('rejects a Classify input that is not an image', async () => {
    const error = (await clients.registry.classify({ model: result.version.model, version: result.version.version, image: Buffer.from('not an image at all') }).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  });

  it('exports a version that tf.loadLayersModel runs like Classify', async () => {
    const directory = path.join(sampleDir, 'export');
    const files = await exportVersion(harness.store, result.version, directory);
    const modelJson = JSON.parse(await readFile(files.modelJsonPath, 'utf8')) as { modelTopology: object; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
    const weights = await readFile(files.weightsPath);
    expect(JSON.stringify(modelJson.modelTopology)).not.toContain('InceptionBatchNorm');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }));

    const imagePath = path.join(sampleDir, 'validation', CLASSES[1]!, (await readdir(path.join(sampleDir, 'validation', CLASSES[1]!)))[0]!);
    const image = await readFile(imagePath);
    const normalized = await normalizeImage(image);
    const pixels = await preprocessForEval(normalized.ok ? normalized.jpegBytes : image, 75);
    const output = tf.tidy(() => tf.softmax(loaded.predict(tf.tensor4d(pixels, [1, 75, 75, 3])) as tf.Tensor2D));
    const exported = Array.from(await output.data());
    output.dispose();
    loaded.dispose();

    const classified = await clients.registry.classify({ model: result.version.model, version: result.version.version, image });
    for (const prediction of classified.predictions) {
      expect(exported[prediction.label]).toBeCloseTo(prediction.probability, 5);
    }
    expect((await readFile(files.labelsPath, 'utf8')).trim().split('\n')).toEqual(['(background)', ...CLASSES]);
  });

  it('gives demo --json plain JSON with zero fields', () => {
    const summary = demoJson(result, 12.5) as { job: { lastStep: Record<string, unknown>; eval: Record<string, unknown> }; version: { version: number } };

    expect(JSON.stringify(summary)).not.toContain('$typeName');
    expect(summary.job.lastStep.auxLoss).toBe(0);
    expect(summary.job.lastStep.step).toBe(result.job.lastStep!.step);
    expect(summary.job.eval.examples).toBe(CLASSES.length * VALIDATION_PER_CLASS);
    expect(summary.version.version).toBe(result.version.version);
  });

  it('answers health checks on every service', async () => {
    for (const server of Object.values(servers)) {
      expect(await checkHealth(server.address)).toBe('SERVING');
    }
  });

  it.each([
    ['ingestion', () => createRpcClient(IngestionService, servers.ingestion.address).importDataset({ trainSource: '/tmp', validationSource: '/tmp' }), 'name'],
    ['sharding', () => createRpcClient(ShardingService, servers.sharding.address).shardDataset({ trainShards: 2 }), 'dataset'],
    ['registry', () => createRpcClient(RegistryService, servers.registry.address).getVersion({ version: 1 }), 'model'],
    ['trainer', () => createRpcClient(TrainerService, servers.trainer.address).submitJob({ spec: { kind: JobKind.TRAIN, shardSetId: 'x' } }), 'spec.dataset'],
  ])('%s rejects a missing required field', async (_service, call, field) => {
    const error = (await call().catch((caught: unknown) => caught)) as ServiceError;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toContain(field);
  });
});
