import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RegistryService } from '@inception/proto';
import { BearerTokens, GrpcStatus, ServiceError, silentLogger, startRpcServer, methodScopes, type RpcServer } from '@inception/rpc';
import { implementSome } from '@inception/rpc/testing';
import { makeTempDir } from '@inception/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, resolveClientSecurity } from './clients.js';

const FLAG_TOKEN = 'flag-token-0123456789abcdef';
const FILE_TOKEN = 'file-token-0123456789abcdef';
const ENV_TOKEN = 'env-token-0123456789abcdef';

let temp: { dir: string; remove: () => Promise<void> };
let tokenFile: string;
let server: RpcServer;

beforeAll(async () => {
  temp = await makeTempDir('inception-cli-token-');
  tokenFile = path.join(temp.dir, 'token');
  await writeFile(tokenFile, `${FILE_TOKEN}\n`);
  const scopes = methodScopes(RegistryService, Object.fromEntries(RegistryService.methods.map((method) => [method.localName, 'read'])) as never);
  server = await startRpcServer({
    name: 'cli-token',
    logger: silentLogger,
    services: [implementSome(RegistryService, { getVersion: async (request) => ({ version: { model: request.model } }) })],
    auth: { tokens: BearerTokens.of({ read: [FILE_TOKEN] }), scopes: [scopes] },
  });
});

afterAll(async () => {
  await server.shutdown();
  await temp.remove();
});

describe('resolveClientSecurity', () => {
  it('prefers --token to INCEPTION_TOKEN', async () => {
    expect((await resolveClientSecurity({ token: FLAG_TOKEN }, { INCEPTION_TOKEN: ENV_TOKEN })).token).toBe(FLAG_TOKEN);
  });

  it('prefers --token-file to INCEPTION_TOKEN', async () => {
    expect((await resolveClientSecurity({ tokenFile }, { INCEPTION_TOKEN: ENV_TOKEN })).token).toBe(FILE_TOKEN);
  });

  it('falls back to INCEPTION_TOKEN', async () => {
    expect((await resolveClientSecurity({}, { INCEPTION_TOKEN: ENV_TOKEN })).token).toBe(ENV_TOKEN);
  });

  it('sends no token when none is given', async () => {
    expect((await resolveClientSecurity({}, {})).token).toBeUndefined();
  });

  it('rejects --token together with --token-file', async () => {
    await expect(resolveClientSecurity({ token: FLAG_TOKEN, tokenFile }, {})).rejects.toThrow('--token and --token-file are both set');
  });

  it('names a missing token file', async () => {
    const missing = path.join(temp.dir, 'missing');
    await expect(resolveClientSecurity({ tokenFile: missing }, {})).rejects.toThrow(`cannot read the token file "${missing}"`);
  });

  it('keeps a malformed token file out of the message', async () => {
    const twoTokens = path.join(temp.dir, 'two-tokens');
    await writeFile(twoTokens, `${FILE_TOKEN} ${ENV_TOKEN}\n`);
    const error = (await resolveClientSecurity({ tokenFile: twoTokens }, {}).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toBe(`the token file "${twoTokens}" must contain one token without spaces`);
  });
});

describe('connect', () => {
  it('sends the resolved token', async () => {
    const security = await resolveClientSecurity({ tokenFile }, {});
    const client = connect(RegistryService, server.address, {}, security);
    const response = await client.getVersion({ model: 'with-token' });
    client.close();
    expect(response.version?.model).toBe('with-token');
  });

  it('reaches UNAUTHENTICATED without a token', async () => {
    const client = connect(RegistryService, server.address, {}, await resolveClientSecurity({}, {}));
    const error = (await client.getVersion({ model: 'no-token' }).catch((caught: unknown) => caught)) as ServiceError;
    client.close();
    expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
  });
});
