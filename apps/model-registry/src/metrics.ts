import { Counter, type Registry } from 'prom-client';

/** Registry metrics: versions created and integrity failures. */
export function registryMetrics(registry: Registry) {
  return {
    versions: new Counter({ name: 'inception_registry_versions_created_total', help: 'Model versions created.', registers: [registry] }),
    aliasMoves: new Counter({ name: 'inception_registry_alias_moves_total', help: 'Alias moves and deletions, by operation.', labelNames: ['operation'], registers: [registry] }),
    verificationFailures: new Counter({
      name: 'inception_registry_verification_failures_total',
      help: 'Files whose size or SHA-256 differed from the recorded value when read.',
      registers: [registry],
    }),
  };
}

export type RegistryMetrics = ReturnType<typeof registryMetrics>;
