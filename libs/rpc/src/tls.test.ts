import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { RegistryService } from '@inception/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRpcClient } from './client.js';
import { GrpcStatus, ServiceError } from './errors.js';
import { checkHealth } from './health-client.js';
import { silentLogger } from './logger.js';
import { startRpcServer, type RpcServer } from './server.js';
import { createTestCertificates, type TestCertificates } from './testing/certificates.js';
import { implementSome } from './testing/partial-service.js';
import { channelCredentials, serverCredentials } from './tls.js';

const registry = implementSome(RegistryService, {
  async getVersion(request) {
    return { version: { model: request.model, version: request.version } };
  },
});

let dir: string;
let certificates: TestCertificates;
let otherCertificates: TestCertificates;
let tlsServer: RpcServer;
let mutualServer: RpcServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'inception-tls-'));
  certificates = await createTestCertificates(path.join(dir, 'trusted'));
  otherCertificates = await createTestCertificates(path.join(dir, 'other'), 'other-ca');
  tlsServer = await startRpcServer({
    name: 'tls',
    services: [registry],
    logger: silentLogger,
    credentials: await serverCredentials({ certFile: certificates.serverCertFile, keyFile: certificates.serverKeyFile }),
  });
  mutualServer = await startRpcServer({
    name: 'mutual-tls',
    services: [registry],
    logger: silentLogger,
    credentials: await serverCredentials({ certFile: certificates.serverCertFile, keyFile: certificates.serverKeyFile, caFile: certificates.caFile }),
  });
});

afterAll(async () => {
  await tlsServer?.shutdown();
  await mutualServer?.shutdown();
  await rm(dir, { recursive: true, force: true });
});

async function getVersionWith(server: RpcServer, credentials: grpc.ChannelCredentials): Promise<number | ServiceError> {
  const client = createRpcClient(RegistryService, server.address, { timeoutMs: 10_000 }, credentials);
  try {
    return (await client.getVersion({ model: 'm', version: 7 })).version!.version;
  } catch (error) {
    return error as ServiceError;
  } finally {
    client.close();
  }
}

describe('TLS server', () => {
  it('serves a client that trusts its CA', async () => {
    expect(await getVersionWith(tlsServer, await channelCredentials({ caFile: certificates.caFile }))).toBe(7);
  });

  it('rejects a plaintext client as UNAVAILABLE', async () => {
    const result = await getVersionWith(tlsServer, grpc.credentials.createInsecure());
    expect((result as ServiceError).code).toBe(GrpcStatus.UNAVAILABLE);
  });

  it('is rejected by a client that trusts another CA', async () => {
    const result = await getVersionWith(tlsServer, await channelCredentials({ caFile: otherCertificates.caFile }));
    expect((result as ServiceError).code).toBe(GrpcStatus.UNAVAILABLE);
  });

  it('answers health checks over TLS', async () => {
    expect(await checkHealth(tlsServer.address, '', 10_000, await channelCredentials({ caFile: certificates.caFile }))).toBe('SERVING');
  });
});

describe('mutual TLS server', () => {
  it('serves a client with a certificate its CA signed', async () => {
    const credentials = await channelCredentials({ caFile: certificates.caFile, certFile: certificates.clientCertFile, keyFile: certificates.clientKeyFile });
    expect(await getVersionWith(mutualServer, credentials)).toBe(7);
  });

  it('serves a service presenting its own server certificate', async () => {
    const credentials = await channelCredentials({ caFile: certificates.caFile, certFile: certificates.serverCertFile, keyFile: certificates.serverKeyFile });
    expect(await getVersionWith(mutualServer, credentials)).toBe(7);
  });

  it('rejects a client without a certificate as UNAVAILABLE', async () => {
    const result = await getVersionWith(mutualServer, await channelCredentials({ caFile: certificates.caFile }));
    expect((result as ServiceError).code).toBe(GrpcStatus.UNAVAILABLE);
  });

  it('rejects a client certificate another CA signed', async () => {
    const credentials = await channelCredentials({ caFile: certificates.caFile, certFile: otherCertificates.clientCertFile, keyFile: otherCertificates.clientKeyFile });
    const result = await getVersionWith(mutualServer, credentials);
    expect((result as ServiceError).code).toBe(GrpcStatus.UNAVAILABLE);
  });
});

describe('TLS settings', () => {
  it('rejects a certificate without its key', async () => {
    await expect(serverCredentials({ certFile: certificates.serverCertFile })).rejects.toThrow(`TLS needs a certificate and its key together; got certificate "${certificates.serverCertFile}" without a key`);
  });

  it('rejects a CA without a server certificate', async () => {
    await expect(serverCredentials({ caFile: certificates.caFile })).rejects.toThrow('mutual TLS needs a certificate and key as well');
  });

  it('names a certificate file that cannot be read', async () => {
    const missing = path.join(dir, 'missing.crt');
    await expect(channelCredentials({ caFile: missing })).rejects.toThrow(`cannot read the CA file "${missing}"`);
  });
});
