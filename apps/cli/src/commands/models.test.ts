import { createHash } from 'node:crypto';
import { Classifier, registryHandlers, registryMetrics } from '@inception/model-registry';
import { RegistryService } from '@inception/proto';
import { createRpcClient, startRpcServer, type RpcServer } from '@inception/rpc';
import { createLogger, createMetricsRegistry } from '@inception/telemetry';
import { startTestObjectStore, type TestObjectStore } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../build-image-data/test-support/run-cli.js';

let objects: TestObjectStore;
let registry: RpcServer;

function modelsCommand(...args: string[]): string[] {
  return ['models', '--registry', registry.address, ...args];
}

beforeAll(async () => {
  objects = await startTestObjectStore();
  registry = await startRpcServer({
    name: 'registry',
    logger: createLogger('test', 'silent'),
    services: [registryHandlers({ store: objects.store, metrics: registryMetrics(createMetricsRegistry('r')), classifier: new Classifier(objects.store) })],
  });

  // Two versions of one file each; SetAlias checks only that the version exists.
  const client = createRpcClient(RegistryService, registry.address);
  const bytes = new TextEncoder().encode('checkpoint bytes');
  await objects.store.put('runs/job-1/checkpoint.bin', bytes);
  const file = { key: 'runs/job-1/checkpoint.bin', sizeBytes: BigInt(bytes.length), sha256: createHash('sha256').update(bytes).digest('hex') };
  for (let i = 0; i < 2; i++) await client.createVersion({ model: 'flowers', files: [file], lineage: { jobId: 'job-1', labels: ['daisy'] } });

  // A fine-tuned version whose lineage has every part of the tree.
  const tensors = { ...file, key: 'runs/job-2/tensors.bin' };
  const checkpointJson = { ...file, key: 'runs/job-2/checkpoint.json' };
  await objects.store.put(tensors.key, bytes);
  await objects.store.put(checkpointJson.key, bytes);
  await client.createVersion({
    model: 'fmtiny',
    files: [tensors, checkpointJson],
    lineage: {
      dataset: { name: 'fm', version: 1 },
      shardSetId: 'none-train2-validation2-threads2-seed12345',
      jobId: 'job-2',
      backend: 'wasm',
      steps: 20,
      baseModelVersion: 'flowers@1',
      checkpointPrefix: 'runs/job-2/checkpoints/step-20/',
      labels: ['shirt', 'shoe'],
      numClasses: 3,
      metrics: { precisionAt1: 0.5, recallAt5: 1, examples: 40 },
      hyperParameters: { batchSize: '16', imageSize: '75' },
    },
  });
  client.close();
});

afterAll(async () => {
  await registry?.shutdown();
  await objects?.stop();
});

describe('inception models alias', () => {
  it('prints the move', async () => {
    const run = await runCli(modelsCommand('alias', 'flowers', 'staging', '1'));

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('flowers@staging → 1 (new)\n');
  });

  it('prints JSON with --json', async () => {
    await runCli(modelsCommand('alias', 'flowers', 'production', '1'));

    const run = await runCli(modelsCommand('alias', 'flowers', 'production', '2', '--json'));
    const response = JSON.parse(run.stdout) as { alias: { name: string; version: number }; previousVersion: number };

    expect(run.exitCode).toBe(0);
    expect(response.alias.name).toBe('production');
    expect(response.alias.version).toBe(2);
    expect(response.previousVersion).toBe(1);
  });

  it('names --force for a protected alias', async () => {
    await runCli(modelsCommand('alias', 'flowers', 'stable', '1', '--protect'));

    const run = await runCli(modelsCommand('alias', 'flowers', 'stable', '2'));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('inception: alias "stable" of "flowers" is protected (at version 1); pass --force to move it\n');
  });

  it('moves a protected alias with --force', async () => {
    await runCli(modelsCommand('alias', 'flowers', 'pinned', '1', '--protect'));

    const run = await runCli(modelsCommand('alias', 'flowers', 'pinned', '2', '--force'));

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('flowers@pinned → 2 (was 1), protected\n');
  });

  it('suggests models list for a missing version', async () => {
    const run = await runCli(modelsCommand('alias', 'flowers', 'staging', '7'));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('inception: model "flowers" has no version 7; list them with inception models list flowers\n');
  });
});

describe('inception models show', () => {
  it('shows a bare model with versions and aliases', async () => {
    await runCli(modelsCommand('alias', 'flowers', 'canary', '2'));

    const run = await runCli(modelsCommand('show', 'flowers'));
    const lines = run.stdout.trimEnd().split('\n');

    expect(run.exitCode).toBe(0);
    expect(lines[0]).toMatch(/^model flowers {2}\(created \S+Z\)$/);
    expect(lines[1]).toMatch(/^version\s+created\s+dataset\s+steps\s+precision@1\s+aliases$/);
    expect(lines[2]).toMatch(/^\s+1\s+\S+Z\s+.*staging/);
    expect(lines[3]).toMatch(/^\s+2\s+\S+Z\s+.*canary/);
    expect(lines.at(-1)).toBe('the lineage of one version: inception models show flowers@<version or alias>');
  });

  it('prints a bare model as JSON', async () => {
    const run = await runCli(modelsCommand('show', 'flowers', '--json'));
    const output = JSON.parse(run.stdout) as { model: { name: string; description: string }; aliases: Array<{ name: string; version: number; protected: boolean }>; versions: Array<{ version: number }> };

    expect(run.exitCode).toBe(0);
    expect(output.model.name).toBe('flowers');
    expect(output.model.description).toBe('');
    expect(output.versions.map((version) => version.version)).toEqual([1, 2]);
    expect(output.aliases.find((alias) => alias.name === 'staging')).toMatchObject({ version: 1, protected: false });
  });

  it('resolves an alias', async () => {
    const run = await runCli(modelsCommand('show', 'flowers@staging'));

    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^flowers@1 /);
  });

  it('names a missing alias', async () => {
    const run = await runCli(modelsCommand('show', 'flowers@nightly'));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('model "flowers" has no alias "nightly" (its aliases: ');
    expect(run.stderr).toContain('staging → 1');
    expect(run.stderr).toContain('inception models alias flowers nightly <version>');
  });

  it('draws the lineage tree', async () => {
    const run = await runCli(modelsCommand('show', 'fmtiny@1'));
    const lines = run.stdout.trimEnd().split('\n');

    expect(run.exitCode).toBe(0);
    expect(lines[0]).toMatch(/^fmtiny@1 {2}\(created \S+Z\)$/);
    expect(lines.slice(1, -2)).toEqual([
      '├─ dataset: fm v1',
      '│  └─ shard set: none-train2-validation2-threads2-seed12345',
      '├─ training job: job-2 on wasm, 20 steps',
      '│  ├─ fine-tuned from: flowers@1',
      '│  └─ checkpoint: runs/job-2/checkpoints/step-20/',
      '├─ classes: 2 (3 logits): shirt, shoe',
      '├─ evaluation: precision @ 1 = 0.5000, recall @ 5 = 1.0000 [40 examples]',
      '├─ hyper-parameters',
      '│  ├─ batchSize = 16',
      '│  └─ imageSize = 75',
      '└─ files',
    ]);
    expect(lines.at(-2)).toMatch(/^ {3}├─ \S+\/tensors\.bin {2}16 bytes {2}sha256 [0-9a-f]{16}…$/);
    expect(lines.at(-1)).toMatch(/^ {3}└─ \S+\/checkpoint\.json {2}16 bytes {2}sha256 [0-9a-f]{16}…$/);
  });

  it('rejects version 0', async () => {
    const run = await runCli(modelsCommand('show', 'flowers@0'));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('version 0 in "flowers@0" is invalid: versions are numbered from 1');
  });
});

describe('inception models import-tf', () => {
  it('rejects an invalid --model before reading the checkpoint', async () => {
    const run = await runCli(modelsCommand('import-tf', 'no-such-checkpoint', '--model', 'Bad Name'));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`model name "Bad Name" is invalid: use 1–63 lower-case letters, digits, '-' or '_', starting with a letter or digit`);
  });
});
