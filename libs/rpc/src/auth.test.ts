import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import * as grpc from '@grpc/grpc-js';
import { IngestionService, JobState, RegistryService, TrainerService } from '@inception/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BearerTokens, methodScopes, type MethodScopes } from './auth.js';
import { createRpcClient } from './client.js';
import { GrpcStatus, ServiceError } from './errors.js';
import { checkHealth } from './health-client.js';
import type { RpcLogger } from './logger.js';
import { startRpcServer, type RpcServer } from './server.js';
import { implementSome } from './testing/partial-service.js';

const READ_TOKEN = 'read-token-0123456789abcdef';
const WRITE_TOKEN = 'write-token-0123456789abcdef';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const UNKNOWN_TOKEN = 'unknown-token-0123456789abcdef';

/** Builds a scope table of `service` that needs read everywhere except the methods named in `overrides`. */
function scopesOf<S extends GenServiceMethods>(service: GenService<S>, overrides: Partial<MethodScopes<S>>) {
  const table = Object.fromEntries(service.methods.map((method) => [method.localName, 'read'])) as unknown as MethodScopes<S>;
  return methodScopes(service, { ...table, ...overrides });
}

const registryScopes = scopesOf(RegistryService, { createModel: 'write', setAlias: 'admin' });
const trainerScopes = scopesOf(TrainerService, {});
const ingestionScopes = scopesOf(IngestionService, { uploadDataset: 'write' });

const services = [
  implementSome(RegistryService, {
    async createModel(request) {
      return { model: { name: request.name }, created: true };
    },
    async getVersion(request) {
      return { version: { model: request.model, version: request.version } };
    },
    async setAlias() {
      return {};
    },
  }),
  implementSome(TrainerService, {
    async watchJob(request, send) {
      await send({ job: { id: request.jobId, state: JobState.SUCCEEDED } });
    },
  }),
  implementSome(IngestionService, {
    async uploadDataset(requests) {
      let chunks = 0;
      for await (const request of requests) if (request.part.case === 'chunk') chunks += 1;
      return { receivedBytes: BigInt(chunks) };
    },
  }),
];

const logLines: string[] = [];
const capturingLogger: RpcLogger = {
  info: (object, message) => logLines.push(JSON.stringify({ ...object, message })),
  warn: (object, message) => logLines.push(JSON.stringify({ ...object, message })),
  error: (object, message) => logLines.push(JSON.stringify({ ...object, message })),
  child: () => capturingLogger,
};

let server: RpcServer;

beforeAll(async () => {
  server = await startRpcServer({
    name: 'auth-test',
    services,
    logger: capturingLogger,
    auth: { tokens: BearerTokens.of({ read: [READ_TOKEN], write: [WRITE_TOKEN], admin: [ADMIN_TOKEN] }), scopes: [registryScopes, trainerScopes, ingestionScopes] },
  });
});

afterAll(async () => {
  await server.shutdown();
});

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ServiceError)) throw new Error(`expected a ServiceError, got ${String(error)}`);
  return error;
}

function registryClient(token?: string) {
  return createRpcClient(RegistryService, server.address, { token });
}

describe('BearerTokens.parse', () => {
  it('reads scopes and skips comments and blank lines', () => {
    const tokens = BearerTokens.parse(`# readers\nread ${READ_TOKEN}\n\n  admin   ${ADMIN_TOKEN}  \r\n`, 'tokens.txt');
    expect(tokens.size).toBe(2);
    expect(tokens.scopeOf(READ_TOKEN)).toBe('read');
    expect(tokens.scopeOf(ADMIN_TOKEN)).toBe('admin');
    expect(tokens.scopeOf(UNKNOWN_TOKEN)).toBeUndefined();
  });

  it.each([
    ['an unknown scope', `owner ${READ_TOKEN}`, 'tokens.txt line 1: scope "owner" is invalid'],
    ['a short token', 'read short', 'tokens.txt line 1: the token has 5 characters; use at least 16'],
    ['a line without a token', 'read', 'tokens.txt line 1: expected "<scope> <token>", got 1 fields'],
    ['one token with two scopes', `read ${READ_TOKEN}\nwrite ${READ_TOKEN}`, 'tokens.txt line 2: the token is listed before with scope read'],
  ])('rejects %s, naming the line', (_case, text, message) => {
    expect(() => BearerTokens.parse(text, 'tokens.txt')).toThrow(message);
  });

  it('keeps tokens out of its error messages', () => {
    const error = (() => {
      try {
        BearerTokens.parse(`read ${READ_TOKEN} extra`, 'tokens.txt');
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('parse did not throw');
    })();
    expect(error.message).not.toContain(READ_TOKEN);
  });
});

describe('server with bearer tokens', () => {
  it('rejects a call without a token as UNAUTHENTICATED', async () => {
    const error = await failure(registryClient().getVersion({ model: 'a', version: 1 }));
    expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
  });

  it('names the method and scope when the token is missing', async () => {
    const error = await failure(registryClient().getVersion({ model: 'a', version: 1 }));
    expect(error.message).toContain('/inception.v1.RegistryService/GetVersion needs a bearer token with scope read');
  });

  it('rejects an unknown token as UNAUTHENTICATED', async () => {
    const error = await failure(registryClient(UNKNOWN_TOKEN).getVersion({ model: 'a', version: 1 }));
    expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
  });

  it('keeps the token out of the status message', async () => {
    const error = await failure(registryClient(UNKNOWN_TOKEN).getVersion({ model: 'a', version: 1 }));
    expect(error.message).not.toContain(UNKNOWN_TOKEN);
  });

  it('keeps the token out of the log', async () => {
    await failure(registryClient(UNKNOWN_TOKEN).createModel({ name: 'm' }));
    expect(logLines.some((line) => line.includes('UNAUTHENTICATED'))).toBe(true);
    expect(logLines.join('\n')).not.toContain(UNKNOWN_TOKEN);
  });

  it('rejects a non-Bearer authorization value', async () => {
    const metadata = () => {
      const value = new grpc.Metadata();
      value.set('authorization', `Basic ${READ_TOKEN}`);
      return value;
    };
    const error = await failure(createRpcClient(RegistryService, server.address, { metadata }).getVersion({ model: 'a', version: 1 }));
    expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
  });

  it('rejects a read token on a write method as PERMISSION_DENIED', async () => {
    const error = await failure(registryClient(READ_TOKEN).createModel({ name: 'm' }));
    expect(error.code).toBe(GrpcStatus.PERMISSION_DENIED);
  });

  it('names the method, the scope needed and the scope held', async () => {
    const error = await failure(registryClient(WRITE_TOKEN).setAlias({}));
    expect(error.message).toBe('/inception.v1.RegistryService/SetAlias needs scope admin, but the token sent has scope write');
  });

  it('accepts a token of the needed scope', async () => {
    const response = await registryClient(WRITE_TOKEN).createModel({ name: 'm' });
    expect(response.created).toBe(true);
  });

  it('accepts a token of a higher scope', async () => {
    const response = await registryClient(ADMIN_TOKEN).getVersion({ model: 'a', version: 2 });
    expect(response.version?.version).toBe(2);
  });

  it('checks the token of a server stream', async () => {
    const stream = createRpcClient(TrainerService, server.address).watchJob({ jobId: 'j' });
    const error = await failure((async () => {
      for await (const _ of stream) void _;
    })());
    expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
  });

  it('serves a server stream to a read token', async () => {
    const states: JobState[] = [];
    for await (const response of createRpcClient(TrainerService, server.address, { token: READ_TOKEN }).watchJob({ jobId: 'j' })) states.push(response.job!.state);
    expect(states).toEqual([JobState.SUCCEEDED]);
  });

  it('checks the token of a client stream', async () => {
    const client = createRpcClient(IngestionService, server.address, { token: READ_TOKEN });
    const error = await failure(client.uploadDataset([{ part: { case: 'chunk', value: new Uint8Array(4) } }]));
    expect(error.code).toBe(GrpcStatus.PERMISSION_DENIED);
  });

  it('accepts a client stream with a write token', async () => {
    const client = createRpcClient(IngestionService, server.address, { token: WRITE_TOKEN });
    const response = await client.uploadDataset([{ part: { case: 'chunk', value: new Uint8Array(4) } }, { part: { case: 'chunk', value: new Uint8Array(4) } }]);
    expect(response.receivedBytes).toBe(2n);
  });

  it('answers health checks without a token', async () => {
    expect(await checkHealth(server.address, 'inception.v1.RegistryService')).toBe('SERVING');
  });

  it('answers reflection without a token', async () => {
    const channel = new grpc.Client(server.address, grpc.credentials.createInsecure());
    const call = channel.makeBidiStreamRequest(
      '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
    );
    // ServerReflectionRequest with list_services (field 7) set to "".
    call.write(Buffer.from([0x3a, 0x00]));
    call.end();
    const responses: Buffer[] = [];
    for await (const response of call) responses.push(response as Buffer);
    channel.close();
    expect(Buffer.concat(responses).toString('latin1')).toContain('inception.v1.RegistryService');
  });
});

describe('server scope tables', () => {
  it('refuses to start when a method has no scope', async () => {
    const incomplete = { service: RegistryService, scopes: new Map([['GetVersion', 'read' as const]]) };
    const starting = startRpcServer({ name: 'incomplete', services: [services[0]!], logger: capturingLogger, auth: { tokens: BearerTokens.none, scopes: [incomplete] } });
    await expect(starting).rejects.toThrow('no scope is declared for inception.v1.RegistryService/CreateModel');
  });

  it('lets every caller in when no tokens are configured', async () => {
    const open = await startRpcServer({ name: 'open', services: [services[0]!], logger: capturingLogger, auth: { tokens: BearerTokens.none, scopes: [registryScopes] } });
    const response = await createRpcClient(RegistryService, open.address).getVersion({ model: 'a', version: 3 });
    expect(response.version?.version).toBe(3);
    await open.shutdown();
  });
});
