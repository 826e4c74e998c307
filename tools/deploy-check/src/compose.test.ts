import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ingestionServiceDefinition } from '@inception/ingestion';
import { registryServiceDefinition } from '@inception/model-registry';
import { serviceEnvTable } from '@inception/rpc';
import { shardingServiceDefinition } from '@inception/sharding';
import { trainerServiceDefinition } from '@inception/trainer';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEPLOY_DIR } from './deploy-queries.js';
import { requireTool } from './executables.js';

const COMPOSE_DIR = path.join(DEPLOY_DIR, 'compose');
const composeText = readFileSync(path.join(COMPOSE_DIR, 'compose.yaml'), 'utf8');
const envExampleText = readFileSync(path.join(COMPOSE_DIR, '.env.example'), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  deploy?: { resources?: { reservations?: { devices?: Array<{ driver?: string; count?: string | number; device_ids?: string[]; capabilities: string[] }> } } };
  stop_grace_period?: string;
  profiles?: string[];
}

const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
const services = compose.services;

/** Variable names in `${NAME}`, `${NAME:-default}` and `${NAME:?message}` references outside comments. */
function interpolatedVariables(text: string): Set<string> {
  const code = withoutComments(text);
  return new Set([...code.matchAll(/\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}/g)].map((match) => match[1]));
}

function withoutComments(yamlText: string): string {
  return yamlText
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
}

function envExampleVariables(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return new Map(entries);
}

const APP_SERVICES = {
  ingestion: ingestionServiceDefinition,
  sharding: shardingServiceDefinition,
  'model-registry': registryServiceDefinition,
  trainer: trainerServiceDefinition,
} as const;

describe('compose.yaml', () => {
  it('runs the services, the S3 server and monitoring', () => {
    expect(Object.keys(services).sort()).toEqual(['bucket-init', 'dcgm-exporter', 'grafana', 'ingestion', 'model-registry', 'prometheus', 'seaweedfs', 'sharding', 'trainer']);
  });

  it.each(Object.keys(APP_SERVICES))('builds %s from its Dockerfile target', (name) => {
    expect(services[name].build).toEqual({ context: '../..', dockerfile: 'deploy/docker/Dockerfile', target: name });
  });

  it.each(Object.keys(APP_SERVICES))('checks %s health over gRPC', (name) => {
    expect(services[name].healthcheck?.test).toEqual(['CMD', 'node', '--import', 'tsx', 'tools/deploy-check/src/grpc-health-probe.ts']);
  });

  it.each(Object.keys(APP_SERVICES))('starts %s after the bucket exists', (name) => {
    expect((services[name].depends_on as Record<string, { condition: string }>)['bucket-init']).toEqual({ condition: 'service_completed_successfully' });
  });

  it.each(Object.entries(APP_SERVICES))('sets only variables %s reads', (name, definition) => {
    const known = Object.keys(serviceEnvTable(definition));
    const unknown = Object.keys(services[name].environment ?? {}).filter((variable) => !known.includes(variable) && !variable.startsWith('CUDA_'));
    expect(unknown).toEqual([]);
  });

  it.each(Object.keys(APP_SERVICES))('mounts the auth folder into %s', (name) => {
    expect(services[name].volumes).toContain('${AUTH_DIR:-./auth}:/etc/inception/auth:ro');
  });

  it.each(Object.keys(APP_SERVICES))('leaves authentication off in %s by default', (name) => {
    expect(services[name].environment?.AUTH_TOKENS_FILE).toBe('${AUTH_TOKENS_FILE:-}');
  });

  it('reserves a GPU for the trainer', () => {
    const devices = services.trainer.deploy?.resources?.reservations?.devices ?? [];
    expect(devices).toHaveLength(1);
    expect(devices[0].capabilities).toEqual(['gpu']);
    expect(devices[0].driver).toBe('nvidia');
  });

  it('keeps the CUDA kernel cache on a named volume', () => {
    expect(services.trainer.volumes).toContain('cuda-cache:/var/cache/cuda');
    expect(Object.keys(compose.volumes)).toContain('cuda-cache');
  });

  it('gives the trainer time to checkpoint on stop', () => {
    expect(services.trainer.stop_grace_period).toBe('10m');
  });

  it('points the trainer at the registry', () => {
    expect(services.trainer.environment?.REGISTRY_ADDRESS).toBe('model-registry:50053');
  });

  it('spreads shard units over the sharding replicas', () => {
    expect(services.sharding.environment?.SHARDING_WORKERS).toBe('dns:///sharding:50052');
  });

  it('reserves the GPUs for dcgm-exporter', () => {
    expect(services['dcgm-exporter'].deploy?.resources?.reservations?.devices?.[0]?.capabilities).toEqual(['gpu']);
  });

  it('creates the bucket with the deploy-check script', () => {
    expect(services['bucket-init'].command).toEqual(['node', '--import', 'tsx', 'tools/deploy-check/src/create-bucket.ts']);
  });

  it('starts SeaweedFS only with its profile', () => {
    expect(services.seaweedfs.profiles).toEqual(['seaweedfs']);
  });
});

describe('.env.example', () => {
  const listed = envExampleVariables(envExampleText);
  const used = interpolatedVariables(composeText);

  it('lists every variable compose.yaml uses', () => {
    expect([...used].filter((name) => !listed.has(name))).toEqual([]);
  });

  it('lists only variables compose uses', () => {
    const unused = [...listed.keys()].filter((name) => !used.has(name) && !name.startsWith('COMPOSE_'));
    expect(unused).toEqual([]);
  });

  it('enables the SeaweedFS profile by default', () => {
    expect(listed.get('COMPOSE_PROFILES')).toBe('seaweedfs');
  });

  it('leaves the secrets empty', () => {
    for (const secret of ['S3_ACCESS_KEY', 'S3_SECRET_KEY', 'GRAFANA_ADMIN_PASSWORD']) {
      expect(listed.get(secret), secret).toBe('');
    }
  });

  it('matches the defaults written in compose.yaml', () => {
    const mismatched = [...withoutComments(composeText).matchAll(/\$\{([A-Z0-9_]+):-([^}]*)\}/g)]
      .filter(([, name, fallback]) => listed.get(name) !== fallback)
      .map(([, name, fallback]) => `${name}: compose.yaml ${fallback}, .env.example ${listed.get(name)}`);
    expect(mismatched).toEqual([]);
  });
});

const dockerCompose = requireTool('docker-compose', 'docker-compose');

describe.skipIf(!dockerCompose)('docker-compose config', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'inception-compose-'));
  const envFile = path.join(scratch, 'compose.env');
  writeFileSync(envFile, envExampleText.replace(/^(S3_ACCESS_KEY|S3_SECRET_KEY|GRAFANA_ADMIN_PASSWORD)=$/gm, '$1=placeholder'));

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function config(args: string[], env: string): { status: number; output: string } {
    try {
      const output = execFileSync(dockerCompose!, ['--env-file', env, '-f', path.join(COMPOSE_DIR, 'compose.yaml'), 'config', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { status: 0, output };
    } catch (error) {
      const failed = error as { status: number; stdout: string; stderr: string };
      return { status: failed.status, output: `${failed.stdout}${failed.stderr}` };
    }
  }

  it('validates the file with the example environment', () => {
    const result = config(['--services'], envFile);
    expect(result.output.trim().split('\n').sort()).toEqual(Object.keys(services).sort());
    expect(result.status).toBe(0);
  });

  it('rejects an environment without the S3 secret key', () => {
    const withoutSecret = path.join(scratch, 'without-secret.env');
    writeFileSync(withoutSecret, envExampleText.replace(/^(S3_ACCESS_KEY|GRAFANA_ADMIN_PASSWORD)=$/gm, '$1=placeholder'));
    const result = config(['--quiet'], withoutSecret);
    expect(result.output).toContain('set S3_SECRET_KEY in deploy/compose/.env');
    expect(result.status).not.toBe(0);
  });
});
