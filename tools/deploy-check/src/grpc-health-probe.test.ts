import { createLogger } from '@inception/telemetry';
import { startRpcServer, type RpcServer } from '@inception/rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHealth, probeOptionsFrom } from './grpc-health-probe.js';

let server: RpcServer;

beforeAll(async () => {
  server = await startRpcServer({ name: 'probe-test', services: [], logger: createLogger('probe-test', 'silent') });
});

afterAll(async () => {
  await server?.shutdown();
});

describe('probeHealth', () => {
  it('reports a serving server as healthy', async () => {
    const result = await probeHealth({ target: server.address });
    expect(result.healthy).toBe(true);
    expect(result.message).toBe(`${server.address}: SERVING`);
  });

  it('reports NOT_SERVING as unhealthy', async () => {
    server.health.setStatus('', 'NOT_SERVING');
    try {
      const result = await probeHealth({ target: server.address });
      expect(result.healthy).toBe(false);
      expect(result.message).toContain('NOT_SERVING');
    } finally {
      server.health.setStatus('', 'SERVING');
    }
  });

  it('reports an unknown service name as unhealthy', async () => {
    const result = await probeHealth({ target: server.address, service: 'inception.v1.NoSuchService' });
    expect(result.healthy).toBe(false);
    expect(result.message).toContain('inception.v1.NoSuchService');
  });

  it('reports a closed port as unhealthy without throwing', async () => {
    const closed = await startRpcServer({ name: 'closed', services: [], logger: createLogger('closed', 'silent') });
    await closed.shutdown();
    const result = await probeHealth({ target: closed.address, timeoutMs: 1_000 });
    expect(result.healthy).toBe(false);
    expect(result.message).toContain('health check failed');
  });
});

describe('probeOptionsFrom', () => {
  it('targets GRPC_PORT on loopback by default', () => {
    expect(probeOptionsFrom([], { GRPC_PORT: '50051' }).target).toBe('127.0.0.1:50051');
  });

  it('prefers --target over GRPC_PORT', () => {
    expect(probeOptionsFrom(['--target', 'trainer:50054'], { GRPC_PORT: '50051' }).target).toBe('trainer:50054');
  });

  it('rejects a missing target', () => {
    expect(() => probeOptionsFrom([], {})).toThrow(/missing target: pass --target HOST:PORT or set GRPC_PORT/);
  });

  it('rejects a timeout that is not a positive integer', () => {
    expect(() => probeOptionsFrom(['--timeout-ms', '0'], { GRPC_PORT: '1' })).toThrow(/--timeout-ms must be a positive integer/);
  });
});
