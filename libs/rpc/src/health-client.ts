import type * as grpc from '@grpc/grpc-js';
import { health } from '@inception/proto';
import { createRpcClient } from './client.js';

export type ServingStatusName = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/**
 * Asks a server's grpc.health.v1 service for the status of `service` ('' = the whole server).
 * Pass `credentials` for a TLS server; the health service needs no token.
 */
export async function checkHealth(target: string, service = '', timeoutMs = 2_000, credentials?: grpc.ChannelCredentials): Promise<ServingStatusName> {
  const client = createRpcClient(health.Health, target, { timeoutMs }, credentials);
  try {
    const response = await client.check({ service });
    return health.HealthCheckResponse_ServingStatus[response.status] as ServingStatusName;
  } finally {
    client.close();
  }
}

/** Polls `checkHealth` until SERVING or until `timeoutMs` passes; returns the last status seen. */
export async function waitUntilServing(target: string, timeoutMs: number, intervalMs = 200, credentials?: grpc.ChannelCredentials): Promise<ServingStatusName | 'UNREACHABLE'> {
  const deadlineMs = Date.now() + timeoutMs;
  let last: ServingStatusName | 'UNREACHABLE' = 'UNREACHABLE';
  while (Date.now() < deadlineMs) {
    try {
      last = await checkHealth(target, '', Math.min(2_000, Math.max(100, deadlineMs - Date.now())), credentials);
      if (last === 'SERVING') return last;
    } catch {
      last = 'UNREACHABLE';
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return last;
}
