import { IngestionService, RegistryService, ShardingService, TrainerService } from '@inception/proto';
import { createRpcClient } from '@inception/rpc';

export interface ServiceTargets {
  ingestion: string;
  sharding: string;
  registry: string;
  trainer: string;
}

/** Typed clients of the four services; long calls (imports, sharding) get long deadlines. */
export function createClients(targets: ServiceTargets) {
  const clients = {
    ingestion: createRpcClient(IngestionService, targets.ingestion, { timeoutMs: 3_600_000, idempotentMethods: ['GetDataset', 'ListDatasets'] }),
    sharding: createRpcClient(ShardingService, targets.sharding, { timeoutMs: 3_600_000, idempotentMethods: ['ShardDataset', 'WriteShard'] }),
    registry: createRpcClient(RegistryService, targets.registry, { timeoutMs: 300_000, idempotentMethods: ['GetVersion', 'ListVersions', 'CreateModel'] }),
    trainer: createRpcClient(TrainerService, targets.trainer, { timeoutMs: 60_000, idempotentMethods: ['GetJob', 'ListJobs'] }),
  };
  return {
    ...clients,
    close: () => Object.values(clients).forEach((client) => client.close()),
  };
}

export type Clients = ReturnType<typeof createClients>;
