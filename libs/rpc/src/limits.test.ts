import { connect } from 'node:http2';
import { JobState, RegistryService, TrainerService } from '@inception/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRpcClient } from './client.js';
import { GrpcStatus, ServiceError } from './errors.js';
import { silentLogger } from './logger.js';
import { DEFAULT_MAX_RECEIVE_MESSAGE_BYTES, startRpcServer, type RpcServer } from './server.js';
import { implementSome } from './testing/partial-service.js';

const MIB = 1024 * 1024;

let server: RpcServer;
let getJobCalls = 0;
let releaseWatch: () => void = () => {};

beforeAll(async () => {
  server = await startRpcServer({
    name: 'limits',
    logger: silentLogger,
    maxConcurrentStreams: 1,
    services: [
      implementSome(RegistryService, {
        async createModel(request) {
          return { model: { name: request.name, description: request.description } };
        },
      }),
      implementSome(TrainerService, {
        async getJob(request) {
          getJobCalls += 1;
          return { job: { id: request.jobId } };
        },
        async watchJob(request, send) {
          await send({ job: { id: request.jobId, state: JobState.RUNNING } });
          await new Promise<void>((resolve) => {
            releaseWatch = resolve;
          });
        },
      }),
    ],
  });
});

afterAll(async () => {
  await server.shutdown();
});

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  return (await promise.then(
    () => new Error('the call succeeded'),
    (caught: unknown) => caught,
  )) as ServiceError;
}

describe('message size limits', () => {
  it('rejects a too-large request with RESOURCE_EXHAUSTED naming the limit', async () => {
    // The client's own send limit is raised so that the server's receive limit is what refuses.
    const client = createRpcClient(RegistryService, server.address, { channelOptions: { 'grpc.max_send_message_length': 64 * MIB } });
    const error = await failure(client.createModel({ name: 'big', description: 'x'.repeat(5 * MIB) }));
    client.close();
    expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error.message).toContain(String(DEFAULT_MAX_RECEIVE_MESSAGE_BYTES));
  });

  it('stops a too-large request in the client before sending it', async () => {
    const client = createRpcClient(RegistryService, server.address);
    const error = await failure(client.createModel({ name: 'big', description: 'x'.repeat(5 * MIB) }));
    client.close();
    expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error.message).toContain(String(DEFAULT_MAX_RECEIVE_MESSAGE_BYTES));
  });

  it('rejects a response above the client limit with RESOURCE_EXHAUSTED naming it', async () => {
    const client = createRpcClient(RegistryService, server.address, { channelOptions: { 'grpc.max_receive_message_length': MIB } });
    const error = await failure(client.createModel({ name: 'echo', description: 'x'.repeat(2 * MIB) }));
    client.close();
    expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error.message).toContain(String(MIB));
  });

  it('accepts a request just under the limit', async () => {
    const client = createRpcClient(RegistryService, server.address);
    const response = await client.createModel({ name: 'fits', description: 'x'.repeat(4 * MIB) });
    client.close();
    expect(response.model?.description.length).toBe(4 * MIB);
  });
});

describe('concurrent stream limit', () => {
  it('advertises SETTINGS_MAX_CONCURRENT_STREAMS', async () => {
    const session = connect(`http://${server.address}`);
    const settings = await new Promise<{ maxConcurrentStreams?: number }>((resolve, reject) => {
      session.once('remoteSettings', resolve);
      session.once('error', reject);
    });
    session.close();
    expect(settings.maxConcurrentStreams).toBe(1);
  });

  it('holds a second call while one stream is open', async () => {
    const client = createRpcClient(TrainerService, server.address);
    const watch = client.watchJob({ jobId: 'held' })[Symbol.asyncIterator]();
    await watch.next();

    // The stream occupies the only slot, so this call cannot start before its deadline.
    const queued = await failure(client.getJob({ jobId: 'second' }, { timeoutMs: 500 }));
    expect(queued.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(getJobCalls).toBe(0);

    releaseWatch();
    await watch.next();
    const response = await client.getJob({ jobId: 'third' });
    expect(response.job?.id).toBe('third');
    client.close();
  });
});
