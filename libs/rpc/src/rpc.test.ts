import { JobState, RegistryService, TrainerService } from '@inception/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRpcClient } from './client.js';
import { GrpcStatus, ServiceError } from './errors.js';
import { implement } from './handlers.js';
import { implementSome } from './testing/partial-service.js';
import { checkHealth } from './health-client.js';
import { silentLogger } from './logger.js';
import { startRpcServer, type RpcServer } from './server.js';
import { requireField } from './validate.js';

// A registry and a trainer implemented just far enough to exercise the adapter.
const registry = implementSome(RegistryService, {
  async createModel(request) {
    return { model: { name: requireField(request.name, 'name') }, created: true };
  },
  async createVersion() {
    throw ServiceError.failedPrecondition('not in this test');
  },
  async getVersion(request) {
    requireField(request.model, 'model');
    return { version: { model: request.model, version: request.version } };
  },
  async listVersions() {
    throw new Error('boom');
  },
});

const trainer = implement(TrainerService, {
  async submitJob() {
    return {};
  },
  async getJob(request) {
    return { job: { id: request.jobId } };
  },
  async listJobs() {
    return { jobs: [] };
  },
  async cancelJob() {
    return {};
  },
  async watchJob(request, send) {
    for (let step = 1; step <= 3; step++) {
      await send({ job: { id: request.jobId, state: JobState.RUNNING, lastStep: { step } } });
    }
  },
});

let server: RpcServer;
const calls: string[] = [];

beforeAll(async () => {
  server = await startRpcServer({
    name: 'test',
    services: [registry, trainer],
    logger: silentLogger,
    onCallEnd: ({ method, code }) => calls.push(`${method}:${code}`),
  });
});

afterAll(async () => {
  await server.shutdown();
});

describe('rpc adapter', () => {
  it('serves a unary call', async () => {
    const client = createRpcClient(RegistryService, server.address);
    const response = await client.getVersion({ model: 'flowers', version: 3 });
    expect(response.version?.model).toBe('flowers');
    expect(response.version?.version).toBe(3);
    client.close();
  });

  it('rejects a missing field with INVALID_ARGUMENT naming it', async () => {
    const client = createRpcClient(RegistryService, server.address);
    const error = await client.getVersion({ version: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect((error as ServiceError).message).toContain('model');
    client.close();
  });

  it('maps an unexpected exception to INTERNAL', async () => {
    const client = createRpcClient(RegistryService, server.address);
    const error = (await client.listVersions({ model: 'x' }).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.INTERNAL);
    expect(error.message).toContain('boom');
    client.close();
  });

  it('streams server responses in order', async () => {
    const client = createRpcClient(TrainerService, server.address);
    const steps: number[] = [];
    for await (const response of client.watchJob({ jobId: 'job-1' })) {
      steps.push(response.job?.lastStep?.step ?? -1);
    }
    expect(steps).toEqual([1, 2, 3]);
    client.close();
  });

  it('answers health checks with SERVING', async () => {
    expect(await checkHealth(server.address)).toBe('SERVING');
    expect(await checkHealth(server.address, 'inception.v1.RegistryService')).toBe('SERVING');
  });

  it('reports every finished call', async () => {
    expect(calls).toContain('GetVersion:OK');
    expect(calls).toContain('GetVersion:INVALID_ARGUMENT');
    expect(calls).toContain('WatchJob:OK');
  });

  it('applies the client deadline', async () => {
    const slow = await startRpcServer({
      name: 'slow',
      logger: silentLogger,
      services: [
        implementSome(RegistryService, {
          getVersion: () => new Promise(() => {}),
        }),
      ],
      shutdownGraceMs: 100,
    });
    const client = createRpcClient(RegistryService, slow.address, { timeoutMs: 200 });
    const error = (await client.getVersion({ model: 'a' }).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    client.close();
    await slow.shutdown();
  });
});
