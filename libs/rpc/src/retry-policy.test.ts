import { RegistryService } from '@inception/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRpcClient, type RpcClient } from './client.js';
import { GrpcStatus, ServiceError } from './errors.js';
import { silentLogger } from './logger.js';
import { startRpcServer, type RpcServer } from './server.js';
import { implementSome } from './testing/partial-service.js';

// Each method fails with UNAVAILABLE on its first call and succeeds afterwards.
const calls = new Map<string, number>();
function failOnce(method: string): void {
  const count = (calls.get(method) ?? 0) + 1;
  calls.set(method, count);
  if (count === 1) throw ServiceError.unavailable(`${method}: first call fails`);
}

let server: RpcServer;
let client: RpcClient<typeof RegistryService.method>;

beforeAll(async () => {
  server = await startRpcServer({
    name: 'retry-policy',
    logger: silentLogger,
    services: [
      implementSome(RegistryService, {
        async getVersion(request) {
          failOnce('GetVersion');
          return { version: { model: request.model } };
        },
        async createVersion(request) {
          failOnce('CreateVersion');
          return { version: { model: request.model } };
        },
        async deleteVersion() {
          failOnce('DeleteVersion');
          return {};
        },
      }),
    ],
  });
  client = createRpcClient(RegistryService, server.address, { idempotentMethods: ['GetVersion'] });
});

afterAll(async () => {
  client.close();
  await server.shutdown();
});

describe('client retry policy', () => {
  it('retries an idempotent method after UNAVAILABLE', async () => {
    const response = await client.getVersion({ model: 'm', version: 1 });
    expect(response.version?.model).toBe('m');
    expect(calls.get('GetVersion')).toBe(2);
  });

  it('does not retry a method that is not listed', async () => {
    const error = (await client.createVersion({ model: 'm' }).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(calls.get('CreateVersion')).toBe(1);
  });

  it('retries nothing without idempotent methods', async () => {
    const plain = createRpcClient(RegistryService, server.address);
    const error = (await plain.deleteVersion({ model: 'm', version: 1 }).catch((caught: unknown) => caught)) as ServiceError;
    plain.close();
    expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(calls.get('DeleteVersion')).toBe(1);
  });
});
