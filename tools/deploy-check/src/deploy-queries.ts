/**
 * The PromQL queries of the deployment files: alert rules under deploy/prometheus/rules and the
 * Grafana dashboards under deploy/grafana/dashboards, each with the place it comes from.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { metricNamesInPromql, metricNamesInVariableQuery } from './promql-names.js';

/** Root of the checkout: this file sits at tools/deploy-check/src. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');
export const RULES_DIR = path.join(DEPLOY_DIR, 'prometheus/rules');
export const DASHBOARDS_DIR = path.join(DEPLOY_DIR, 'grafana/dashboards');
export const EXTERNAL_METRICS_FILE = path.join(DEPLOY_DIR, 'prometheus/external-metrics.txt');

export interface MetricUse {
  /** File and rule or panel that uses the metric, for failure messages. */
  where: string;
  metric: string;
}

export interface RuleGroup {
  name: string;
  rules: Array<{ alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }>;
}

export interface DashboardPanel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr?: string; legendFormat?: string; datasource?: { type?: string; uid?: string } }>;
  panels?: DashboardPanel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating?: { list: Array<{ name: string; query?: string | { query?: string } }> };
}

export function listFiles(directory: string, suffix: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => path.join(directory, name));
}

export function readRuleGroups(file: string): RuleGroup[] {
  return (parse(readFileSync(file, 'utf8')) as { groups: RuleGroup[] }).groups;
}

export function readDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

/** Returns every panel, rows' nested panels included. */
export function flattenPanels(panels: DashboardPanel[]): DashboardPanel[] {
  return panels.flatMap((panel) => [panel, ...flattenPanels(panel.panels ?? [])]);
}

/** Lists every metric that an alert rule or a dashboard query selects. */
export function collectMetricUses(): MetricUse[] {
  const uses: MetricUse[] = [];

  for (const file of listFiles(RULES_DIR, '.rules.yml')) {
    for (const group of readRuleGroups(file)) {
      for (const rule of group.rules) {
        const where = `${path.relative(REPO_ROOT, file)} ${rule.alert ?? rule.record}`;
        for (const metric of metricNamesInPromql(rule.expr)) uses.push({ where, metric });
      }
    }
  }

  for (const file of listFiles(DASHBOARDS_DIR, '.json')) {
    const dashboard = readDashboard(file);
    const relative = path.relative(REPO_ROOT, file);
    for (const panel of flattenPanels(dashboard.panels)) {
      for (const target of panel.targets ?? []) {
        for (const metric of metricNamesInPromql(target.expr ?? '')) uses.push({ where: `${relative} panel "${panel.title}"`, metric });
      }
    }
    for (const variable of dashboard.templating?.list ?? []) {
      const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      for (const metric of metricNamesInVariableQuery(query)) uses.push({ where: `${relative} variable $${variable.name}`, metric });
    }
  }
  return uses;
}

/** Reads the checked-in names of metrics that come from other exporters, one per line; # starts a comment. */
export function readExternalMetrics(): Set<string> {
  const lines = readFileSync(EXTERNAL_METRICS_FILE, 'utf8').split('\n');
  return new Set(lines.map((line) => line.replace(/#.*/, '').trim()).filter((line) => line.length > 0));
}

/** Returns the uses whose metric is in neither set, as "metric (where)" lines. */
export function unknownMetricUses(uses: MetricUse[], exported: Set<string>, external: Set<string>): string[] {
  return uses.filter((use) => !exported.has(use.metric) && !external.has(use.metric)).map((use) => `${use.metric} (${use.where})`);
}
