import { createServer } from 'node:net';
import { connectivityState } from '@grpc/grpc-js';
import { TrainerService } from '@inception/proto';
import { GrpcStatus, ServiceError, silentLogger, startRpcServer, type RpcServer } from '@inception/rpc';
import { implementSome } from '@inception/rpc/testing';
import { startIngestionHarness, type IngestionHarness } from '@inception/ingestion/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from './build-image-data/test-support/run-cli.js';
import { connect } from './clients.js';
import { explainMissingMethod, explainUnreachable } from './unreachable.js';

const FIX = 'Start the stack with `inception up` and export the INCEPTION_* variables it prints, or set --trainer or INCEPTION_TRAINER to the trainer\'s address';

let closedAddress: string;
let server: RpcServer;
let ingestion: IngestionHarness;

/** Returns an address on 127.0.0.1 whose port this test opened and closed again, so nothing listens there. */
async function closedPortAddress(): Promise<string> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as { port: number };
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

beforeAll(async () => {
  closedAddress = await closedPortAddress();
  server = await startRpcServer({
    name: 'unavailable-trainer',
    logger: silentLogger,
    services: [
      implementSome(TrainerService, {
        getJob: async () => {
          throw ServiceError.unavailable('read runs/j/job.json: object store unavailable (ECONNREFUSED: connect ECONNREFUSED)');
        },
      }),
    ],
  });
  ingestion = await startIngestionHarness();
});

afterAll(async () => {
  await server?.shutdown();
  await ingestion?.stop();
});

describe('unreachable service', () => {
  it('names service, address and fix', async () => {
    const run = await runCli(['jobs', 'list', '--trainer', closedAddress]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`inception: cannot reach the trainer at ${closedAddress} (connection refused). ${FIX}\n`);
  });

  it('names the address from the variable', async () => {
    const run = await runCli(['dataset', 'list'], { INCEPTION_INGESTION: closedAddress });

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`cannot reach the ingestion service at ${closedAddress} (connection refused)`);
    expect(run.stderr).toContain('set --ingestion or INCEPTION_INGESTION');
    expect(run.stderr).not.toContain('No connection established');
  });

  it('explains a failed stream', async () => {
    const client = connect(TrainerService, closedAddress);

    const error = await (async () => {
      for await (const _ of client.watchJob({ jobId: 'job-1' })) break;
    })().catch((caught: unknown) => caught);
    client.close();

    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe(GrpcStatus.UNAVAILABLE);
    expect((error as ServiceError).message).toBe(`cannot reach the trainer at ${closedAddress} (connection refused). ${FIX}`);
  });

  it('keeps an UNAVAILABLE the service sent', async () => {
    const client = connect(TrainerService, server.address);

    const error = (await client.getJob({ jobId: 'job-1' }).catch((caught: unknown) => caught)) as ServiceError;
    client.close();

    expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(error.message).toBe('read runs/j/job.json: object store unavailable (ECONNREFUSED: connect ECONNREFUSED)');
  });

  it('words a dropped connection', () => {
    const dropped = new ServiceError(GrpcStatus.UNAVAILABLE, 'Connection dropped');

    const explained = explainUnreachable(dropped, TrainerService, '127.0.0.1:50054', connectivityState.IDLE) as ServiceError;

    expect(explained.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(explained.message).toBe(`lost the connection to the trainer at 127.0.0.1:50054. ${FIX}`);
  });

  it('leaves other codes unchanged', () => {
    const notFound = ServiceError.notFound('job "x" not found');

    expect(explainUnreachable(notFound, TrainerService, '127.0.0.1:50054', connectivityState.TRANSIENT_FAILURE)).toBe(notFound);
  });
});

describe('address of another service', () => {
  const shardingFix = "set --sharding or INCEPTION_SHARDING to the sharding service's address";

  it('names the address and the expected service', async () => {
    const address = ingestion.server.address;

    const run = await runCli(['shard', '--dataset', 'fm@1', '--sharding', address]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`inception: the server at ${address} does not serve the sharding service (it lacks ShardingService.ShardDataset); ${shardingFix}\n`);
  });

  it('names the address from the variable', async () => {
    const address = ingestion.server.address;

    const run = await runCli(['shard-sets', 'fm'], { INCEPTION_SHARDING: address });

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`inception: the server at ${address} does not serve the sharding service (it lacks ShardingService.ListShardSets); ${shardingFix}\n`);
  });

  it('explains a stream', async () => {
    const address = ingestion.server.address;

    const run = await runCli(['jobs', 'watch', 'job-1', '--trainer', address]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`inception: the server at ${address} does not serve the trainer (it lacks TrainerService.WatchJob); set --trainer or INCEPTION_TRAINER to the trainer's address\n`);
  });

  it('keeps an UNIMPLEMENTED the service sent', async () => {
    const client = connect(TrainerService, server.address);

    const error = (await client.listJobs({}).catch((caught: unknown) => caught)) as ServiceError;
    client.close();

    expect(error.code).toBe(GrpcStatus.UNIMPLEMENTED);
    expect(error.message).toBe('ListJobs is not implemented in this test');
  });

  it('keeps the UNIMPLEMENTED code', () => {
    const missing = new ServiceError(GrpcStatus.UNIMPLEMENTED, 'The server does not implement the method /inception.v1.TrainerService/GetJob');

    const explained = explainMissingMethod(missing, TrainerService.method.getJob, '127.0.0.1:50051') as ServiceError;

    expect(explained.code).toBe(GrpcStatus.UNIMPLEMENTED);
    expect(explained.cause).toBe(missing);
  });

  it('leaves other codes unchanged', () => {
    const notFound = ServiceError.notFound('The server does not implement the method /inception.v1.TrainerService/GetJob');

    expect(explainMissingMethod(notFound, TrainerService.method.getJob, '127.0.0.1:50051')).toBe(notFound);
  });
});
