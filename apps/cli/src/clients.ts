import { readFile } from 'node:fs/promises';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type * as grpc from '@grpc/grpc-js';
import { IngestionService, RegistryService, ShardingService, TrainerService } from '@inception/proto';
import { channelCredentials, createRpcClient, type RpcClient, type RpcClientOptions } from '@inception/rpc';
import { withAddressMessages } from './unreachable.js';

export interface ServiceTargets {
  ingestion: string;
  sharding: string;
  registry: string;
  trainer: string;
}

/** Credentials the CLI sends to the services: a bearer token and TLS credentials, both optional. */
export interface ClientSecurity {
  token?: string;
  credentials?: grpc.ChannelCredentials;
}

/** The global options `--token`, `--token-file` and `--tls-*-file`, as commander parses them. */
export interface SecurityFlags {
  token?: string;
  tokenFile?: string;
  tlsCaFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the token file "${file}": ${(error as Error).message}`, { cause: error });
  }
  const token = text.trim();
  // The message describes the file and never repeats its content.
  if (token === '' || /\s/.test(token)) {
    throw new Error(`the token file "${file}" must contain one token without spaces`);
  }
  return token;
}

/**
 * Resolves the token from `--token`, then `--token-file`, then INCEPTION_TOKEN, and TLS from the
 * `--tls-*-file` flags or INCEPTION_TLS_CA_FILE, INCEPTION_TLS_CERT_FILE and INCEPTION_TLS_KEY_FILE.
 * Errors name the flag or file, never the token.
 */
export async function resolveClientSecurity(flags: SecurityFlags, env: NodeJS.ProcessEnv): Promise<ClientSecurity> {
  if (flags.token !== undefined && flags.tokenFile !== undefined) {
    throw new Error('--token and --token-file are both set; give one of them');
  }
  let token = flags.token;
  if (flags.tokenFile !== undefined) token = await readTokenFile(flags.tokenFile);
  token ??= env.INCEPTION_TOKEN || undefined;
  if (token !== undefined && (token === '' || /\s/.test(token))) {
    throw new Error('the token is empty or contains spaces; pass it without quotes or whitespace');
  }

  const tls = {
    caFile: flags.tlsCaFile ?? (env.INCEPTION_TLS_CA_FILE || undefined),
    certFile: flags.tlsCertFile ?? (env.INCEPTION_TLS_CERT_FILE || undefined),
    keyFile: flags.tlsKeyFile ?? (env.INCEPTION_TLS_KEY_FILE || undefined),
  };
  return { token, credentials: await channelCredentials(tls) };
}

let defaultSecurity: ClientSecurity = {};

/** Sets the security that `connect` and `createClients` use unless given another; main.ts calls it once per command. */
export function useClientSecurity(security: ClientSecurity): void {
  defaultSecurity = security;
}

/**
 * Creates a client of one service that sends the CLI's token and uses its TLS settings. Its calls
 * fail with a message that names the service, its address and the fix when it cannot be reached,
 * or when the server at that address lacks the called method because it is another service.
 */
export function connect<S extends GenServiceMethods>(service: GenService<S>, target: string, options: RpcClientOptions = {}, security: ClientSecurity = defaultSecurity): RpcClient<S> {
  const client = createRpcClient(service, target, { ...options, token: security.token }, security.credentials);
  return withAddressMessages(client, service, target);
}

/**
 * Typed clients of the four services; long calls (imports, sharding) get long deadlines. Only
 * methods that are safe to repeat are retried on UNAVAILABLE: reads, and ShardDataset,
 * WriteShard and CreateModel, which return the existing result when repeated.
 */
export function createClients(targets: ServiceTargets, security: ClientSecurity = defaultSecurity) {
  const clients = {
    ingestion: connect(IngestionService, targets.ingestion, { timeoutMs: 3_600_000, idempotentMethods: ['GetDataset', 'ListDatasets'] }, security),
    sharding: connect(ShardingService, targets.sharding, { timeoutMs: 3_600_000, idempotentMethods: ['ShardDataset', 'WriteShard'] }, security),
    registry: connect(RegistryService, targets.registry, { timeoutMs: 300_000, idempotentMethods: ['GetVersion', 'ListVersions', 'GetModel', 'ListModels', 'CreateModel'] }, security),
    trainer: connect(TrainerService, targets.trainer, { timeoutMs: 60_000, idempotentMethods: ['GetJob', 'ListJobs', 'WatchJob'] }, security),
  };
  return {
    ...clients,
    close: () => Object.values(clients).forEach((client) => client.close()),
  };
}

export type Clients = ReturnType<typeof createClients>;
