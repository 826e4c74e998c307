import { ingestionMetrics, ingestionServiceDefinition } from '@inception/ingestion';
import { registryMetrics, registryServiceDefinition } from '@inception/model-registry';
import { shardingMetrics, shardingServiceDefinition } from '@inception/sharding';
import { createMetricsRegistry, grpcServerMetrics } from '@inception/telemetry';
import { trainerMetrics, trainerServiceDefinition } from '@inception/trainer';
import type { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectMetricUses, readExternalMetrics, unknownMetricUses, type MetricUse } from './deploy-queries.js';
import { seriesNamesInExposition } from './promql-names.js';

const SERVICES: Array<[{ metricsPrefix: string }, (registry: Registry) => unknown]> = [
  [ingestionServiceDefinition, ingestionMetrics],
  [shardingServiceDefinition, shardingMetrics],
  [registryServiceDefinition, registryMetrics],
  [trainerServiceDefinition, trainerMetrics],
];

let exported: Set<string>;
let external: Set<string>;
let uses: MetricUse[];

// Builds each service's registry the way runService does: default process metrics under the
// service prefix, the service's own metrics and the gRPC server metrics. Its /metrics text lists
// every family with HELP and TYPE lines before any sample exists.
beforeAll(async () => {
  exported = new Set();
  for (const [definition, registerServiceMetrics] of SERVICES) {
    const registry = createMetricsRegistry(definition.metricsPrefix);
    registerServiceMetrics(registry);
    grpcServerMetrics(registry);
    for (const name of seriesNamesInExposition(await registry.metrics())) exported.add(name);
  }
  external = readExternalMetrics();
  uses = collectMetricUses();
});

describe('metric names in dashboards and alerts', () => {
  it('finds queries in the rules and dashboards', () => {
    expect(uses.map((use) => use.metric)).toContain('inception_trainer_loss');
    expect(uses.some((use) => use.where.includes('inception.rules.yml'))).toBe(true);
    expect(uses.some((use) => use.where.includes('services.json'))).toBe(true);
  });

  it('uses only exported or listed metrics', () => {
    expect(unknownMetricUses(uses, exported, external)).toEqual([]);
  });

  it('lists no external metric that is unused', () => {
    const used = new Set(uses.map((use) => use.metric));
    expect([...external].filter((name) => !used.has(name))).toEqual([]);
  });

  it('lists no external metric a service exports', () => {
    expect([...external].filter((name) => exported.has(name))).toEqual([]);
  });
});
