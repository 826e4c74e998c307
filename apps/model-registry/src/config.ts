import type { EnvTable } from '@inception/config';

/** The registry has only the common variables so far (GRPC_PORT, S3_*, …). */
export const registryEnv = {} satisfies EnvTable;

export const REGISTRY_DEFAULT_GRPC_PORT = 50053;
export const REGISTRY_DEFAULT_METRICS_PORT = 9463;
