/**
 * Tests the deployment's monitoring against real processes. The stack `inception up` starts
 * runs the four services and the embedded S3 server. Debian's Prometheus scrapes them with
 * deploy/prometheus's configuration and rules while a short training job in the demo's small
 * configuration runs through the services. Run with `npm run test:deploy`.
 */
import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients, type Clients } from '../../../apps/cli/src/clients.js';
import { runPipeline, type PipelineResult } from '../../../apps/cli/src/commands/pipeline.js';
import { startStack, type Stack } from '../../../apps/cli/src/stack/stack.js';
import { DASHBOARDS_DIR, REPO_ROOT, collectMetricUses, flattenPanels, listFiles, readDashboard, readExternalMetrics, unknownMetricUses } from './deploy-queries.js';
import { requireTool } from './executables.js';
import { startLocalPrometheus, waitFor, type LocalPrometheus } from './local-prometheus.js';
import { seriesNamesInExposition } from './promql-names.js';

const CLASSES = ['bag', 'sandal', 'trouser'];
const TRAIN_PER_CLASS = 4;
const VALIDATION_PER_CLASS = 2;
const SCRAPE_INTERVAL = '1s';

const prometheusBinary = requireTool('prometheus', 'prometheus');

let removeTemp: () => Promise<void>;
let stack: Stack;
let clients: Clients;
let prometheus: LocalPrometheus;
let pipeline: PipelineResult;

async function copySamples(target: string): Promise<void> {
  for (const [split, perClass] of [['train', TRAIN_PER_CLASS], ['validation', VALIDATION_PER_CLASS]] as const) {
    for (const className of CLASSES) {
      const source = path.join(REPO_ROOT, 'data/samples/fashion-mnist', split, className);
      const files = (await readdir(source)).sort().slice(0, perClass);
      await mkdir(path.join(target, split, className), { recursive: true });
      for (const file of files) await cp(path.join(source, file), path.join(target, split, className, file));
    }
  }
}

/** host:port of a metrics URL such as http://127.0.0.1:9461/metrics. */
function hostOf(metricsUrl: string): string {
  return new URL(metricsUrl).host;
}

beforeAll(async () => {
  if (!prometheusBinary) return;
  const temp = await makeTempDir('inception-deploy-');
  removeTemp = temp.remove;
  const samples = path.join(temp.dir, 'samples');
  await copySamples(samples);

  stack = await startStack({ dataDir: path.join(temp.dir, 'stack'), env: { ...process.env, LOG_LEVEL: 'info', TRAINER_LOG_EVERY_STEPS: '1' } });
  prometheus = await startLocalPrometheus({
    binary: prometheusBinary,
    directory: path.join(temp.dir, 'prometheus'),
    targets: {
      ingestion: hostOf(stack.services.ingestion.metricsUrl),
      sharding: hostOf(stack.services.sharding.metricsUrl),
      'model-registry': hostOf(stack.services.registry.metricsUrl),
      trainer: hostOf(stack.services.trainer.metricsUrl),
    },
    interval: SCRAPE_INTERVAL,
    readyTimeoutMs: 30_000,
  });

  clients = createClients({ ingestion: stack.services.ingestion.grpc, sharding: stack.services.sharding.grpc, registry: stack.services.registry.grpc, trainer: stack.services.trainer.grpc });
  pipeline = await runPipeline(
    clients,
    {
      datasetName: 'deploy-check',
      trainDirectory: path.join(samples, 'train'),
      validationDirectory: path.join(samples, 'validation'),
      trainShards: 2,
      validationShards: 2,
      modelName: 'deploy-check-model',
      training: { imageSize: 75, depthMultiplier: 0.25, minDepth: 8, batchSize: 4, maxSteps: 3, initialLearningRate: 0.01, numEpochsPerDecay: 30, batchNormDecay: 0.99, movingAverageDecay: 0.99, seed: 7 },
    },
    () => {},
  );

  // The job's gauges stay set after it ends. Wait for the scrapes after its last steps: the
  // evaluation on the trainer and CreateVersion on the registry.
  await waitFor('the finished training job in Prometheus', 60_000, async () => {
    const loss = await prometheus.query(`inception_trainer_loss{training_job="${pipeline.job.id}"}`);
    const precision = await prometheus.query(`inception_trainer_eval_precision_at_1{training_job="${pipeline.job.id}"}`);
    const versions = await prometheus.query('grpc_server_handled_total{grpc_method="CreateVersion", grpc_code="OK"}');
    // Every target scraped at least once since the pipeline ran: a target's first scrape can come
    // up to one interval after Prometheus starts, and on a loaded machine later.
    const shards = await prometheus.query('grpc_server_handled_total{grpc_method="ShardDataset", grpc_code="OK"}');
    const targetsUp = await prometheus.query('up == 1');
    return loss.length === 4 && precision.length === 1 && versions.length === 1 && shards.length === 1 && targetsUp.length === 5 ? true : undefined;
  });
});

afterAll(async () => {
  clients?.close();
  await prometheus?.stop();
  await stack?.stop();
  await removeTemp?.();
});

describe.skipIf(!prometheusBinary)('Prometheus scraping the local stack', () => {
  it('scrapes every service', async () => {
    const up = await prometheus.query('up');
    const byJob = Object.fromEntries(up.map((sample) => [sample.metric.job, sample.value[1]]));
    expect(byJob).toEqual({ ingestion: '1', sharding: '1', 'model-registry': '1', trainer: '1', prometheus: '1' });
  });

  it('stores the training loss by part', async () => {
    const loss = await prometheus.query(`inception_trainer_loss{training_job="${pipeline.job.id}"}`);
    expect(loss.map((sample) => sample.metric.part).sort()).toEqual(['aux', 'main', 'regularization', 'total']);
  });

  it('labels the loss with the scrape job and the training job', async () => {
    const [total] = await prometheus.query(`inception_trainer_loss{part="total"}`);
    expect(total.metric.job).toBe('trainer');
    expect(total.metric.training_job).toBe(pipeline.job.id);
    expect(total.metric.exported_job).toBeUndefined();
    expect(Number.isFinite(Number(total.value[1]))).toBe(true);
  });

  it('counts the steps the job ran', async () => {
    const [steps] = await prometheus.query('inception_trainer_steps_total');
    expect(steps.value[1]).toBe('3');
  });

  it('stores the evaluation of the job', async () => {
    const [precision] = await prometheus.query(`inception_trainer_eval_precision_at_1{training_job="${pipeline.job.id}"}`);
    expect(Number(precision.value[1])).toBeCloseTo(pipeline.job.eval!.precisionAt1, 6);
  });

  it('records the RPCs of the pipeline', async () => {
    const calls = await prometheus.query('sum by (grpc_method) (grpc_server_handled_total{grpc_code="OK"})');
    expect(calls.map((sample) => sample.metric.grpc_method)).toEqual(expect.arrayContaining(['ImportDataset', 'ShardDataset', 'SubmitJob', 'CreateVersion']));
  });

  it('evaluates every alert rule without errors', async () => {
    const rules = await waitFor('a first evaluation of every rule', 30_000, async () => {
      const data = await prometheus.get<{ groups: Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string }> }> }>('/api/v1/rules');
      const all = data.groups.flatMap((group) => group.rules);
      return all.length > 0 && all.every((rule) => rule.health !== 'unknown') ? all : undefined;
    });
    expect(rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError}`)).toEqual([]);
  });

  it('fires no alert on the healthy stack', async () => {
    const alerts = await prometheus.get<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>('/api/v1/alerts');
    expect(alerts.alerts.filter((alert) => alert.state === 'firing').map((alert) => alert.labels.alertname)).toEqual([]);
  });

  it('serves every metric the dashboards and alerts use', async () => {
    const exported = new Set<string>();
    for (const service of Object.values(stack.services)) {
      const text = await (await fetch(service.metricsUrl)).text();
      for (const name of seriesNamesInExposition(text)) exported.add(name);
    }
    expect(unknownMetricUses(collectMetricUses(), exported, readExternalMetrics())).toEqual([]);
  });

  it('accepts every dashboard query', async () => {
    const failures: string[] = [];
    for (const file of listFiles(DASHBOARDS_DIR, '.json')) {
      for (const panel of flattenPanels(readDashboard(file).panels)) {
        for (const target of panel.targets ?? []) {
          const expression = (target.expr ?? '').replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h').replace(/\$\w+/g, '.*');
          await prometheus.query(expression).catch((error: Error) => failures.push(`${path.basename(file)} "${panel.title}": ${error.message}`));
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('returns the training loss from the dashboard query', async () => {
    const training = readDashboard(path.join(DASHBOARDS_DIR, 'training.json'));
    const panel = flattenPanels(training.panels).find((entry) => entry.title === 'Loss by part')!;
    const result = await prometheus.query(panel.targets![0].expr!.replace('$training_job', pipeline.job.id));
    expect(result).toHaveLength(4);
  });
});
