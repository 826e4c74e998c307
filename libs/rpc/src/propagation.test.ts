import { IngestionService, JobState, RegistryService, TrainerService } from '@inception/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRpcClient, type RpcClient } from './client.js';
import { GrpcStatus, ServiceError } from './errors.js';
import { silentLogger } from './logger.js';
import { startRpcServer, type RpcServer } from './server.js';
import { implementSome } from './testing/partial-service.js';

// A front server whose handlers call a back server, as the trainer calls the registry.
let back: RpcServer;
let front: RpcServer;
let backClient: RpcClient<typeof RegistryService.method>;
const backDeadlinesMs: number[] = [];
let backCancelled: Promise<void>;
let markBackCancelled: () => void;
let backStarted: Promise<void>;
let markBackStarted: () => void;
let laterCall: Promise<unknown> | undefined;
let releaseLaterCall: () => void = () => {};

beforeAll(async () => {
  backCancelled = new Promise((resolve) => (markBackCancelled = resolve));
  backStarted = new Promise((resolve) => (markBackStarted = resolve));
  back = await startRpcServer({
    name: 'back',
    logger: silentLogger,
    services: [
      implementSome(RegistryService, {
        async getVersion(request, context) {
          backDeadlinesMs.push(context.deadlineMs);
          return { version: { model: request.model } };
        },
        async listVersions(_request, context) {
          markBackStarted();
          await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
          markBackCancelled();
          return {};
        },
      }),
    ],
  });
  // The back client's own default deadline is long, so a shorter one can only come from the caller.
  backClient = createRpcClient(RegistryService, back.address, { timeoutMs: 600_000 });
  front = await startRpcServer({
    name: 'front',
    logger: silentLogger,
    services: [
      implementSome(TrainerService, {
        async getJob(request) {
          await backClient.getVersion({ model: request.jobId });
          return { job: { id: request.jobId } };
        },
        async cancelJob() {
          await backClient.listVersions({ model: 'm' });
          return {};
        },
        async submitJob() {
          const gate = new Promise<void>((resolve) => (releaseLaterCall = resolve));
          laterCall = gate.then(() => backClient.getVersion({ model: 'after' }));
          return {};
        },
        async watchJob(request, send, context) {
          await send({ job: { id: request.jobId, state: JobState.RUNNING } });
          await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
        },
      }),
    ],
  });
});

afterAll(async () => {
  backClient.close();
  await front.shutdown();
  await back.shutdown();
});

describe('deadline propagation', () => {
  it('caps a nested call at the caller deadline', async () => {
    const client = createRpcClient(TrainerService, front.address);
    const callerDeadlineMs = Date.now() + 20_000;
    await client.getJob({ jobId: 'j' }, { deadlineMs: callerDeadlineMs });
    client.close();
    // grpc-timeout carries the time left, so the back server's deadline ends up later by the
    // transit time. The bound only has to separate it from the back client's own 600 s default.
    expect(backDeadlinesMs.at(-1)).toBeLessThan(callerDeadlineMs + 60_000);
  });

  it('cancels a nested call when the caller cancels', async () => {
    const client = createRpcClient(TrainerService, front.address);
    const controller = new AbortController();
    const call = client.cancelJob({ jobId: 'j' }, { signal: controller.signal }).catch((error: unknown) => error);
    await backStarted;
    controller.abort();
    await backCancelled;
    expect(((await call) as ServiceError).code).toBe(GrpcStatus.CANCELLED);
    client.close();
  });

  it('leaves work that outlives the handler unbounded by its deadline', async () => {
    const client = createRpcClient(TrainerService, front.address);
    const callerDeadlineMs = Date.now() + 20_000;
    await client.submitJob({}, { deadlineMs: callerDeadlineMs });
    client.close();
    releaseLaterCall();
    await laterCall;
    expect(backDeadlinesMs.at(-1)).toBeGreaterThan(callerDeadlineMs + 60_000);
  });
});

describe('shutdown', () => {
  it('ends an open server stream with UNAVAILABLE', async () => {
    const server = await startRpcServer({
      name: 'closing',
      logger: silentLogger,
      // A grace period longer than the test timeout: the stream must end without waiting for it.
      shutdownGraceMs: 600_000,
      services: [
        implementSome(TrainerService, {
          async watchJob(request, send, context) {
            await send({ job: { id: request.jobId, state: JobState.RUNNING } });
            await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
          },
        }),
      ],
    });
    const client = createRpcClient(TrainerService, server.address);
    const stream = client.watchJob({ jobId: 'open' })[Symbol.asyncIterator]();
    await stream.next();

    const stopping = server.shutdown();
    const error = (await stream.next().catch((caught: unknown) => caught)) as ServiceError;
    await stopping;
    client.close();
    expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(error.message).toBe('/inception.v1.TrainerService/WatchJob: the server is shutting down; open the stream again');
  });

  it('ends overdue calls with UNAVAILABLE', async () => {
    let unaryAborted = false;
    let requestsReceived = 0;
    const server = await startRpcServer({
      name: 'closing',
      logger: silentLogger,
      shutdownGraceMs: 100,
      services: [
        implementSome(TrainerService, {
          async getJob(_request, context) {
            await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
            unaryAborted = true;
            return {};
          },
        }),
        implementSome(IngestionService, {
          async uploadDataset(requests) {
            for await (const _ of requests) requestsReceived += 1;
            return {};
          },
        }),
      ],
    });
    const trainer = createRpcClient(TrainerService, server.address);
    const ingestion = createRpcClient(IngestionService, server.address);
    const unary = trainer.getJob({ jobId: 'slow' }).catch((caught: unknown) => caught);
    // A client stream that sends one message and never ends, like an upload whose client stalls.
    const upload = ingestion.uploadDataset((async function* () {
      yield { part: { case: 'header' as const, value: { name: 'held' } } };
      await new Promise(() => {});
    })()).catch((caught: unknown) => caught);
    while (requestsReceived === 0) await new Promise((resolve) => setTimeout(resolve, 10));

    await server.shutdown();
    const unaryError = (await unary) as ServiceError;
    const uploadError = (await upload) as ServiceError;
    trainer.close();
    ingestion.close();
    expect(unaryError.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(unaryError.message).toBe('/inception.v1.TrainerService/GetJob: the server shut down before the call finished');
    expect(unaryAborted).toBe(true);
    expect(uploadError.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(uploadError.message).toBe('/inception.v1.IngestionService/UploadDataset: the server shut down before the call finished');
  });
});
