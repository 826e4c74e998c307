import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARDS_DIR, DEPLOY_DIR, flattenPanels, listFiles, readDashboard, type Dashboard, type DashboardPanel } from './deploy-queries.js';

const DATASOURCE_FILE = path.join(DEPLOY_DIR, 'grafana/provisioning/datasources/prometheus.yml');
const datasources = (parse(readFileSync(DATASOURCE_FILE, 'utf8')) as { datasources: Array<{ uid: string; type: string }> }).datasources;
const dashboards = new Map(listFiles(DASHBOARDS_DIR, '.json').map((file) => [path.basename(file, '.json'), readDashboard(file)] as const));

function panelsOf(dashboard: Dashboard): DashboardPanel[] {
  return flattenPanels(dashboard.panels);
}

function expressionsOf(dashboard: Dashboard): string {
  return panelsOf(dashboard)
    .flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''))
    .join('\n');
}

describe('Grafana provisioning', () => {
  it('provisions one Prometheus datasource with a fixed uid', () => {
    expect(datasources).toHaveLength(1);
    expect(datasources[0].type).toBe('prometheus');
    expect(datasources[0].uid).toBe('inception-prometheus');
  });

  it('ships the training, data and services dashboards', () => {
    expect([...dashboards.keys()].sort()).toEqual(['data', 'services', 'training']);
  });
});

describe.each([...dashboards.entries()])('dashboard %s', (_name, dashboard) => {
  const panels = panelsOf(dashboard);

  it('queries only the provisioned datasource', () => {
    const uids = panels.filter((panel) => panel.type !== 'row').flatMap((panel) => [panel.datasource?.uid, ...(panel.targets ?? []).map((target) => target.datasource?.uid)]);
    expect(new Set(uids)).toEqual(new Set([datasources[0].uid]));
  });

  it('has unique panel ids', () => {
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps panels inside the 24-column grid', () => {
    const outside = panels.filter((panel) => !panel.gridPos || panel.gridPos.x + panel.gridPos.w > 24).map((panel) => panel.title);
    expect(outside).toEqual([]);
  });

  it('defines every variable its queries use', () => {
    const defined = new Set((dashboard.templating?.list ?? []).map((variable) => variable.name));
    const used = [...expressionsOf(dashboard).matchAll(/\$(?!__)(\w+)/g)].map((match) => match[1]);
    expect(used.filter((name) => !defined.has(name))).toEqual([]);
  });
});

describe('dashboard content', () => {
  it.each([
    ['training', 'inception_trainer_loss{'],
    ['training', 'inception_trainer_learning_rate{'],
    ['training', 'inception_trainer_examples_per_second{'],
    ['training', 'inception_trainer_step_duration_seconds_bucket{'],
    ['training', 'DCGM_FI_DEV_GPU_UTIL'],
    ['training', 'DCGM_FI_DEV_FB_USED'],
    ['training', 'inception_trainer_eval_precision_at_1{'],
    ['training', 'inception_trainer_eval_recall_at_5{'],
    ['data', 'inception_ingestion_images_total['],
    ['data', 'inception_ingestion_images_skipped_total['],
    ['data', 'inception_sharding_records_written_total['],
    ['data', 'inception_sharding_units_in_flight'],
    ['services', 'grpc_server_handled_total{'],
    ['services', 'grpc_server_handling_seconds_bucket{'],
  ])('%s queries %s', (name, fragment) => {
    expect(expressionsOf(dashboards.get(name)!)).toContain(fragment);
  });

  it('splits training loss by part and job', () => {
    const loss = panelsOf(dashboards.get('training')!).find((panel) => panel.title === 'Loss by part');
    expect(loss?.targets?.[0]?.legendFormat).toBe('{{training_job}} {{part}}');
  });

  it('splits gRPC latency by method', () => {
    expect(expressionsOf(dashboards.get('services')!)).toMatch(/histogram_quantile\(0\.95, sum by \(le, job, grpc_method\)/);
  });
});
