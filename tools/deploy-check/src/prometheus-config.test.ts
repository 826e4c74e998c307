import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOY_DIR, RULES_DIR, listFiles, readRuleGroups } from './deploy-queries.js';
import { requireTool } from './executables.js';

const promtool = requireTool('promtool', 'prometheus');
const PROMETHEUS_DIR = path.join(DEPLOY_DIR, 'prometheus');

/** Runs promtool and returns its exit code with everything it printed. */
function runPromtool(args: string[]): { status: number; output: string } {
  try {
    const output = execFileSync(promtool!, args, { cwd: PROMETHEUS_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { status: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

describe.skipIf(!promtool)('promtool', () => {
  it('accepts the scrape configuration', () => {
    const result = runPromtool(['check', 'config', 'prometheus.yml']);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('accepts the alert rules', () => {
    const result = runPromtool(['check', 'rules', ...listFiles(RULES_DIR, '.rules.yml')]);
    expect(result.output).not.toContain('FAILED');
    expect(result.status).toBe(0);
  });

  it('passes the alert unit tests', () => {
    const result = runPromtool(['test', 'rules', ...listFiles(path.join(PROMETHEUS_DIR, 'tests'), '.test.yml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});

describe('alert rules', () => {
  const rules = listFiles(RULES_DIR, '.rules.yml').flatMap((file) => readRuleGroups(file).flatMap((group) => group.rules));

  it.each(['InceptionTrainingStalled', 'InceptionTrainingLossNotFinite', 'InceptionInputPipelineStarving', 'InceptionShardUnitsFailing', 'InceptionServiceDown'])('define %s', (alert) => {
    expect(rules.map((rule) => rule.alert)).toContain(alert);
  });

  it('give every alert a severity and a summary', () => {
    const incomplete = rules.filter((rule) => !['critical', 'warning'].includes(rule.labels?.severity ?? '') || !rule.annotations?.summary).map((rule) => rule.alert);
    expect(incomplete).toEqual([]);
  });

  it('have a unit test for every alert', () => {
    const tests = listFiles(path.join(PROMETHEUS_DIR, 'tests'), '.test.yml').map((file) => readFileSync(file, 'utf8')).join('\n');
    const untested = rules.filter((rule) => !tests.includes(`alertname: ${rule.alert}\n`)).map((rule) => rule.alert);
    expect(untested).toEqual([]);
  });
});
