/**
 * Renders the alert rules of deploy/prometheus/rules as the Prometheus Operator PrometheusRule
 * in deploy/k8s/components/monitoring, so both deployments alert on the same rules.
 *
 *   npm run generate:deploy     (tsx tools/deploy-check/src/prometheus-rule.ts --write)
 *
 * Without --write it prints the rendered file. prometheus-rule.test.ts fails while the
 * committed file differs from the rendering.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { DEPLOY_DIR, RULES_DIR, listFiles, readRuleGroups } from './deploy-queries.js';

export const PROMETHEUS_RULE_FILE = path.join(DEPLOY_DIR, 'k8s/components/monitoring/prometheus-rule.yaml');

const HEADER = [
  '# Generated from deploy/prometheus/rules/*.rules.yml by `npm run generate:deploy`. Edit the rule',
  '# files and run it again. A test fails while this file is out of date.',
].join('\n');

/** Returns the PrometheusRule manifest holding every group of every rule file, in file order. */
export function renderPrometheusRule(): string {
  const groups = listFiles(RULES_DIR, '.rules.yml').flatMap((file) => readRuleGroups(file));
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'inception-alerts', labels: { 'app.kubernetes.io/name': 'inception-alerts' } },
    spec: { groups },
  };
  return `${HEADER}\n${stringify(manifest, { lineWidth: 0 })}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rendered = renderPrometheusRule();
  if (process.argv.includes('--write')) {
    writeFileSync(PROMETHEUS_RULE_FILE, rendered);
    console.log(`wrote ${path.relative(process.cwd(), PROMETHEUS_RULE_FILE)}`);
  } else {
    process.stdout.write(rendered);
  }
}
