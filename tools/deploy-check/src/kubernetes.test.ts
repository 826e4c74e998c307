import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { DEPLOY_DIR } from './deploy-queries.js';
import { findExecutable } from './executables.js';
import { PROMETHEUS_RULE_FILE, renderPrometheusRule } from './prometheus-rule.js';

const K8S_DIR = path.join(DEPLOY_DIR, 'k8s');

interface Probe {
  grpc?: { port: number };
}

interface Container {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }>;
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string | number> };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, any>;
  data?: Record<string, string>;
}

function readManifests(file: string): Resource[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => document.toJSON() as Resource | null)
    .filter((resource): resource is Resource => resource !== null);
}

function find(resources: Resource[], kind: string, name: string): Resource {
  const found = resources.find((resource) => resource.kind === kind && (resource.metadata.name === name || resource.metadata.name.startsWith(`${name}-`)));
  if (!found) throw new Error(`no ${kind} ${name} among ${resources.map((resource) => `${resource.kind}/${resource.metadata.name}`).join(', ')}`);
  return found;
}

function containerOf(deployment: Resource): Container {
  return deployment.spec!.template.spec.containers[0] as Container;
}

function envOf(container: Container): Map<string, string | undefined> {
  return new Map((container.env ?? []).map((variable) => [variable.name, variable.value]));
}

const SERVICES = { ingestion: 50051, sharding: 50052, 'model-registry': 50053, trainer: 50054 } as const;
const base = ['ingestion', 'sharding', 'model-registry', 'trainer'].flatMap((name) => readManifests(path.join(K8S_DIR, 'base', `${name}.yaml`)));

describe('base manifests', () => {
  it.each(Object.entries(SERVICES))('probe %s over native gRPC on its port', (name, port) => {
    const container = containerOf(find(base, 'Deployment', name));
    expect(container.startupProbe?.grpc?.port).toBe(port);
    expect(container.readinessProbe?.grpc?.port).toBe(port);
    expect(container.livenessProbe?.grpc?.port).toBe(port);
    expect(envOf(container).get('GRPC_PORT')).toBe(String(port));
  });

  it.each(Object.keys(SERVICES))('run %s as a non-root user', (name) => {
    const pod = find(base, 'Deployment', name).spec!.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBe(10001);
  });

  it.each(Object.keys(SERVICES))('give %s the S3 secret and the optional token secret', (name) => {
    const envFrom = containerOf(find(base, 'Deployment', name)).envFrom ?? [];
    expect(envFrom).toContainEqual({ secretRef: { name: 'inception-s3' } });
    expect(envFrom).toContainEqual({ secretRef: { name: 'inception-service-tokens', optional: true } });
    expect(envFrom).toContainEqual({ configMapRef: { name: 'inception-config' } });
  });

  it.each(Object.entries(SERVICES))('expose %s gRPC and metrics ports on its Service', (name, port) => {
    const ports = (find(base, 'Service', name).spec!.ports as Array<{ name: string; port: number }>).map((entry) => entry.name);
    expect(ports).toEqual(['grpc', 'metrics']);
    expect(find(base, 'Service', name).spec!.ports[0].port).toBe(port);
  });

  it('runs exactly one trainer, replaced with Recreate', () => {
    const trainer = find(base, 'Deployment', 'trainer');
    expect(trainer.spec!.replicas).toBe(1);
    expect(trainer.spec!.strategy).toEqual({ type: 'Recreate' });
  });

  it('gives the trainer one GPU', () => {
    expect(containerOf(find(base, 'Deployment', 'trainer')).resources?.limits?.['nvidia.com/gpu']).toBe(1);
  });

  it('gives the trainer time for its final checkpoint', () => {
    expect(find(base, 'Deployment', 'trainer').spec!.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(600);
  });

  it('keeps the CUDA kernel cache on a volume claim', () => {
    const trainer = find(base, 'Deployment', 'trainer');
    const volume = (trainer.spec!.template.spec.volumes as Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>).find((entry) => entry.name === 'cuda-cache');
    expect(volume?.persistentVolumeClaim?.claimName).toBe('trainer-cuda-cache');
    expect(containerOf(trainer).volumeMounts).toContainEqual({ name: 'cuda-cache', mountPath: '/var/cache/cuda' });
    expect(envOf(containerOf(trainer)).get('CUDA_CACHE_PATH')).toBe('/var/cache/cuda');
    expect(find(base, 'PersistentVolumeClaim', 'trainer-cuda-cache').spec!.accessModes).toEqual(['ReadWriteOnce']);
  });

  it('runs one registry, replaced with Recreate', () => {
    const registry = find(base, 'Deployment', 'model-registry');
    expect(registry.spec!.replicas).toBe(1);
    expect(registry.spec!.strategy).toEqual({ type: 'Recreate' });
  });

  it('puts the sharding replicas behind a headless Service', () => {
    expect(find(base, 'Service', 'sharding').spec!.clusterIP).toBe('None');
  });

  it('spreads shard units over the headless Service name', () => {
    expect(envOf(containerOf(find(base, 'Deployment', 'sharding'))).get('SHARDING_WORKERS')).toBe('dns:///sharding:50052');
  });

  it('autoscales sharding on CPU', () => {
    const autoscaler = find(base, 'HorizontalPodAutoscaler', 'sharding');
    expect(autoscaler.apiVersion).toBe('autoscaling/v2');
    expect(autoscaler.spec!.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'sharding' });
    expect(autoscaler.spec!.metrics[0].resource.name).toBe('cpu');
    expect(containerOf(find(base, 'Deployment', 'sharding')).resources?.requests?.cpu).toBeDefined();
  });
});

describe('monitoring component', () => {
  const monitors = readManifests(path.join(K8S_DIR, 'components/monitoring/service-monitors.yaml'));
  const prometheusConfig = parse(readFileSync(path.join(DEPLOY_DIR, 'prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ job_name: string; metric_relabel_configs?: unknown[] }> };

  it.each(Object.keys(SERVICES))('scrapes %s metrics through a ServiceMonitor', (name) => {
    const monitor = find(monitors, 'ServiceMonitor', name);
    expect(monitor.spec!.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
    expect(monitor.spec!.endpoints[0].port).toBe('metrics');
    expect(monitor.spec!.jobLabel).toBe('app.kubernetes.io/name');
  });

  it('keeps the training job label unrelabelled', () => {
    // A relabelling of a missing source label would empty training_job, and so drop it.
    const relabelings = find(monitors, 'ServiceMonitor', 'trainer').spec!.endpoints[0].metricRelabelings;
    const composeRelabelings = prometheusConfig.scrape_configs.find((job) => job.job_name === 'trainer')!.metric_relabel_configs;
    expect(relabelings).toBeUndefined();
    expect(composeRelabelings).toBeUndefined();
  });

  it('matches the rule files in its PrometheusRule', () => {
    expect(readFileSync(PROMETHEUS_RULE_FILE, 'utf8'), 'run npm run generate:deploy').toBe(renderPrometheusRule());
  });

  it('gives the Grafana datasource the dashboards uid', () => {
    const datasource = parse(readFileSync(path.join(K8S_DIR, 'components/monitoring/grafana-datasource.yaml'), 'utf8')) as { datasources: Array<{ uid: string }> };
    expect(datasource.datasources.map((entry) => entry.uid)).toEqual(['inception-prometheus']);
  });
});

describe('local overlay', () => {
  it('gives SeaweedFS the credentials of the services', () => {
    const identities = JSON.parse(readFileSync(path.join(K8S_DIR, 'overlays/local/seaweedfs-s3.json'), 'utf8')) as { identities: Array<{ credentials: Array<{ accessKey: string; secretKey: string }> }> };
    const kustomization = readFileSync(path.join(K8S_DIR, 'overlays/local/kustomization.yaml'), 'utf8');
    const { accessKey, secretKey } = identities.identities[0].credentials[0];
    expect(kustomization).toContain(`S3_ACCESS_KEY=${accessKey}`);
    expect(kustomization).toContain(`S3_SECRET_KEY=${secretKey}`);
  });
});

/** kubectl with kustomize v4 or newer (components and `labels` need it), or undefined after printing why not. */
function kubectlWithKustomize(): string | undefined {
  const kubectl = findExecutable('kubectl');
  if (!kubectl) {
    console.warn('skipping the kustomize render tests: kubectl is not on PATH; install kubectl (Debian: kubernetes-client)');
    return undefined;
  }
  const version = execFileSync(kubectl, ['version', '--client'], { encoding: 'utf8' });
  const major = Number(/Kustomize Version: v(\d+)/.exec(version)?.[1] ?? 0);
  if (major < 4) {
    console.warn(`skipping the kustomize render tests: ${kubectl} has no kustomize v4 or newer:\n${version}`);
    return undefined;
  }
  return kubectl;
}

const kubectl = kubectlWithKustomize();

function render(overlay: string): Resource[] {
  const output = execFileSync(kubectl!, ['kustomize', path.join(K8S_DIR, overlay)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(output).map((document) => document.toJSON() as Resource);
}

describe.skipIf(!kubectl)('kustomize render', () => {
  const production = kubectl ? render('overlays/production') : [];
  const local = kubectl ? render('overlays/local') : [];

  it.each([
    ['production', production],
    ['local', local],
  ])('puts every %s resource in the inception namespace', (_overlay, resources) => {
    const elsewhere = resources.filter((resource) => resource.kind !== 'Namespace' && resource.metadata.namespace !== 'inception').map((resource) => `${resource.kind}/${resource.metadata.name}`);
    expect(elsewhere).toEqual([]);
  });

  it.each([
    ['production', production],
    ['local', local],
  ])('refers only to ConfigMaps %s renders', (_overlay, resources) => {
    const configMaps = new Set(resources.filter((resource) => resource.kind === 'ConfigMap').map((resource) => resource.metadata.name));
    const references = resources
      .filter((resource) => resource.kind === 'Deployment')
      .flatMap((deployment) => containerOf(deployment).envFrom ?? [])
      .flatMap((source) => (source.configMapRef ? [source.configMapRef.name] : []));
    expect(references.length).toBeGreaterThan(0);
    expect(references.filter((name) => !configMaps.has(name))).toEqual([]);
  });

  it('renders no Secret for production', () => {
    expect(production.filter((resource) => resource.kind === 'Secret')).toEqual([]);
  });

  it('renders every Secret the local Deployments need', () => {
    const secrets = new Set(local.filter((resource) => resource.kind === 'Secret').map((resource) => resource.metadata.name.replace(/-[a-z0-9]{10}$/, '')));
    expect([...secrets].sort()).toEqual(['inception-s3', 'inception-service-tokens', 'seaweedfs-s3-config']);
  });

  it('renders the monitoring resources for production', () => {
    expect(production.filter((resource) => resource.kind === 'ServiceMonitor')).toHaveLength(4);
    expect(find(production, 'PrometheusRule', 'inception-alerts').spec!.groups.length).toBeGreaterThan(0);
    expect(Object.keys(find(production, 'ConfigMap', 'inception-grafana-dashboards').data ?? {}).sort()).toEqual(['data.json', 'services.json', 'training.json']);
    expect(find(production, 'ConfigMap', 'inception-grafana-datasource').metadata.labels).toMatchObject({ grafana_datasource: '1' });
  });

  it.each(Object.keys(SERVICES))('turns on authentication for production %s', (name) => {
    const deployment = find(production, 'Deployment', name);
    const container = containerOf(deployment);
    const volumes = deployment.spec!.template.spec.volumes as Array<{ name: string; secret?: { secretName: string } }>;
    expect(envOf(container).get('AUTH_TOKENS_FILE')).toBe('/etc/inception/auth/tokens');
    expect(container.volumeMounts).toContainEqual({ name: 'auth-tokens', mountPath: '/etc/inception/auth', readOnly: true });
    expect(volumes.find((volume) => volume.name === 'auth-tokens')?.secret?.secretName).toBe('inception-auth-tokens');
  });

  it('leaves authentication off in the local overlay', () => {
    const withTokens = local.filter((resource) => resource.kind === 'Deployment' && envOf(containerOf(resource)).has('AUTH_TOKENS_FILE'));
    expect(withTokens).toEqual([]);
  });

  it('pins the production trainer to GPU nodes', () => {
    expect(find(production, 'Deployment', 'trainer').spec!.template.spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
  });

  it('runs the local trainer without a GPU on wasm', () => {
    const trainer = containerOf(find(local, 'Deployment', 'trainer'));
    expect(trainer.resources?.limits?.['nvidia.com/gpu']).toBeUndefined();
    expect(envOf(trainer).get('TRAINER_BACKEND')).toBe('wasm');
  });

  it('starts SeaweedFS only in the local overlay', () => {
    expect(local.some((resource) => resource.kind === 'Deployment' && resource.metadata.name === 'seaweedfs')).toBe(true);
    expect(production.some((resource) => resource.metadata.name === 'seaweedfs')).toBe(false);
  });
});
