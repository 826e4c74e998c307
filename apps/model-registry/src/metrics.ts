import { Counter, Histogram, type Registry } from 'prom-client';

/** Registry metrics: versions created and how long that took, alias moves, integrity failures. */
export function registryMetrics(registry: Registry) {
  return {
    versions: new Counter({ name: 'inception_registry_versions_created_total', help: 'Model versions created.', registers: [registry] }),
    createVersionSeconds: new Histogram({
      name: 'inception_registry_create_version_duration_seconds',
      help: 'Time to copy, verify and publish a new version, by source: training (a trainer checkpoint) or import (a TensorFlow checkpoint).',
      labelNames: ['source'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
    aliasMoves: new Counter({ name: 'inception_registry_alias_moves_total', help: 'Alias moves and deletions, by operation.', labelNames: ['operation'], registers: [registry] }),
    verificationFailures: new Counter({
      name: 'inception_registry_verification_failures_total',
      help: 'Files whose size or SHA-256 differed from the recorded value when read.',
      registers: [registry],
    }),
  };
}

export type RegistryMetrics = ReturnType<typeof registryMetrics>;
