import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Scope } from '@inception/rpc';
import { createTestCertificates } from '@inception/rpc/testing';
import { EMBEDDED_S3_ACCESS_KEY, EMBEDDED_S3_SECRET_KEY, ObjectStore } from '@inception/storage';
import { createClients, resolveClientSecurity, type ClientSecurity, type Clients } from '../clients.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

export interface SecuredStack {
  stack: Stack;
  /** Fresh random tokens, one per scope, listed in the services' AUTH_TOKENS_FILE. */
  tokens: Record<Scope, string>;
  /** The admin token and, with TLS, the CA and a client certificate. */
  clientSecurity: ClientSecurity;
  /** Clients of the four services that use `clientSecurity`. */
  connect(): Clients;
  /** An ObjectStore on the stack's bucket, to look at what the services wrote. */
  store: ObjectStore;
}

export interface SecuredStackOptions extends Omit<StackOptions, 'env'> {
  /** Serve mutual TLS with certificates made by openssl under `dataDir` (default false). */
  mutualTls?: boolean;
  /** Extra environment of every child (LOG_LEVEL, TRAINER_LOG_EVERY_STEPS, …). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts the stack as a production deployment would run it: every service requires bearer
 * tokens and calls the others with a write-scope SERVICE_TOKEN, optionally over mutual TLS.
 * For fault tests and benchmarks; the tokens and certificates live in `dataDir/security`.
 */
export async function startSecuredStack(options: SecuredStackOptions): Promise<SecuredStack> {
  const securityDir = path.join(options.dataDir, 'security');
  await mkdir(securityDir, { recursive: true });
  const token = () => randomBytes(24).toString('hex');
  const tokens: Record<Scope, string> = { read: token(), write: token(), admin: token() };
  const serviceToken = token();
  const tokensFile = path.join(securityDir, 'tokens');
  const lines = [...Object.entries(tokens).map(([scope, value]) => `${scope} ${value}`), `write ${serviceToken}`];
  await writeFile(tokensFile, `${lines.join('\n')}\n`, { mode: 0o600 });

  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, AUTH_TOKENS_FILE: tokensFile, SERVICE_TOKEN: serviceToken };
  let clientSecurity: ClientSecurity;
  if (options.mutualTls) {
    const certificates = await createTestCertificates(path.join(securityDir, 'tls'));
    Object.assign(env, { TLS_CERT_FILE: certificates.serverCertFile, TLS_KEY_FILE: certificates.serverKeyFile, TLS_CA_FILE: certificates.caFile });
    clientSecurity = await resolveClientSecurity({ token: tokens.admin, tlsCaFile: certificates.caFile, tlsCertFile: certificates.clientCertFile, tlsKeyFile: certificates.clientKeyFile }, {});
  } else {
    clientSecurity = await resolveClientSecurity({ token: tokens.admin }, {});
  }

  const stack = await startStack({ ...options, env });
  const targets = () => ({ ingestion: stack.services.ingestion.grpc, sharding: stack.services.sharding.grpc, registry: stack.services.registry.grpc, trainer: stack.services.trainer.grpc });
  // The embedded S3 server only accepts its fixed credentials; another server gets those in `env`.
  const embedded = !options.s3Endpoint;
  const store = new ObjectStore({
    endpoint: stack.s3Endpoint,
    accessKey: embedded ? EMBEDDED_S3_ACCESS_KEY : (env.S3_ACCESS_KEY ?? ''),
    secretKey: embedded ? EMBEDDED_S3_SECRET_KEY : (env.S3_SECRET_KEY ?? ''),
    bucket: stack.bucket,
  });
  return { stack, tokens, clientSecurity, connect: () => createClients(targets(), clientSecurity), store };
}
