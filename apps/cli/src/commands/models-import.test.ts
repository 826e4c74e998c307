import path from 'node:path';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { localFileSystem } from '@inception/checkpoint';
import { inceptionV3VariablePairs, syntheticTensors, writeV1Checkpoint } from '@inception/checkpoint/testing';
import { Classifier, registryHandlers, registryMetrics } from '@inception/model-registry';
import { RegistryService } from '@inception/proto';
import { createRpcClient, startRpcServer, type RpcClient, type RpcServer } from '@inception/rpc';
import { createLogger, createMetricsRegistry } from '@inception/telemetry';
import { fixturePath, makeTempDir, startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { initBackend } from '@inception/tf-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointImportError, importTensorFlowCheckpoint, type ImportReport } from './models-import.js';
import { readTrainerCheckpoint } from './trainer-checkpoint-inspect.js';

// inception-v3-2016-03-01's names and layout (aux head, 299 pixels) at a quarter of the depth and
// with 5 logits, so the synthetic checkpoint stays small.
const LAYOUT = { numClasses: 5, depthMultiplier: 0.25, minDepth: 16, imageSize: 299 };

let harness: TestObjectStore;
let server: RpcServer;
let registry: RpcClient<typeof RegistryService.method>;
let temp: { dir: string; remove: () => Promise<void> };
let checkpointPath: string;
let report: ImportReport;

beforeAll(async () => {
  await initBackend({});
  temp = await makeTempDir('inception-import-');
  checkpointPath = path.join(temp.dir, 'model.ckpt-157585');
  const specs = inceptionV3VariablePairs(LAYOUT).map((pair) => ({ name: pair.researchName, shape: pair.researchShape }));
  await writeV1Checkpoint(checkpointPath, syntheticTensors(specs, { seed: 5, sliceEvery: 7 }), { compression: 'snappy' });

  harness = await startTestObjectStore();
  server = await startRpcServer({ name: 'registry', logger: createLogger('test', 'silent'), services: [registryHandlers({ store: harness.store, metrics: registryMetrics(createMetricsRegistry('r')), classifier: new Classifier(harness.store) })] });
  registry = createRpcClient(RegistryService, server.address);
  report = await importTensorFlowCheckpoint(checkpointPath, { model: 'imported', format: 'research', useAverages: false, imageSize: 299, depthMultiplier: 0.25, minDepth: 16, labels: ['a', 'b', 'c', 'd'] }, harness.store, registry);
}, 300_000);

afterAll(async () => {
  registry?.close();
  await server?.shutdown();
  await harness?.stop();
  await temp?.remove();
});

describe('importTensorFlowCheckpoint', () => {
  it('maps every model variable', () => {
    expect(report.mapped).toBe(inceptionV3VariablePairs(LAYOUT).length);
    expect(report.numClasses).toBe(5);
    expect(report.auxLogits).toBe(true);
  });

  it('registers the import with its lineage', async () => {
    const { version } = await registry.getVersion({ model: 'imported', version: report.version });
    expect(version?.lineage?.importedCheckpoint).toContain('model.ckpt-157585');
    expect(version?.lineage?.hyperParameters.imageSize).toBe('299');
    expect(version?.lineage?.labels).toEqual(['a', 'b', 'c', 'd']);
  });

  it('serves Classify from the imported weights', async () => {
    const image = await readFile(fixturePath('tensorflow/jpeg/grace_hopper.jpg'));
    const response = await registry.classify({ model: 'imported', version: report.version, image });
    expect(response.predictions).toHaveLength(5);
  });

  it('lists the version with checkpoint inspect', async () => {
    const { version } = await registry.getVersion({ model: 'imported', version: report.version });
    const folder = path.join(temp.dir, 'version');
    await mkdir(folder, { recursive: true });
    for (const file of version!.files) await writeFile(path.join(folder, path.basename(file.key)), await harness.store.getBytes(file.key));
    const listed = await readTrainerCheckpoint(localFileSystem, folder);
    const variables = inceptionV3VariablePairs(LAYOUT).map((pair) => pair.researchName);
    expect(listed?.tensors.map((tensor) => tensor.name)).toEqual(expect.arrayContaining(variables));
    expect(listed?.tensors.find((tensor) => tensor.name === 'conv0/weights')?.shape).toEqual([3, 3, 3, 16]);
  });

  it('rejects a checkpoint of another depth', async () => {
    const error = await importTensorFlowCheckpoint(checkpointPath, { model: 'imported', format: 'research', useAverages: false, imageSize: 299, depthMultiplier: 0.5, minDepth: 16, labels: [] }, harness.store, registry).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CheckpointImportError);
    expect((error as Error).message).toContain('shape mismatches');
  });
});
