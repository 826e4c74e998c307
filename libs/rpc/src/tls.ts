import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';

/** PEM files of one side of a TLS connection; all optional. */
export interface TlsFiles {
  /** Certificate chain presented to the peer: the server certificate, or the client certificate for mutual TLS. */
  certFile?: string;
  /** Private key of `certFile`. */
  keyFile?: string;
  /** CA bundle: on a server, the CA that must have signed client certificates; on a client, the CA that signed the server's. */
  caFile?: string;
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new Error(`cannot read the ${what} "${file}": ${(error as Error).message}`, { cause: error });
  }
}

/** Throws unless the certificate and key are set together. */
function checkPair(files: TlsFiles): void {
  if (Boolean(files.certFile) !== Boolean(files.keyFile)) {
    throw new Error(`TLS needs a certificate and its key together; got ${files.certFile ? `certificate "${files.certFile}" without a key` : `key "${files.keyFile}" without a certificate`}`);
  }
}

/** True when `files` ask a server to serve TLS. */
export function serverUsesTls(files: TlsFiles): boolean {
  return Boolean(files.certFile);
}

/**
 * Builds server credentials: insecure without a certificate, TLS with one, and mutual TLS (client
 * certificates signed by `caFile` required) when a CA is also given. A CA alone is an error,
 * because client certificates cannot be checked on a connection that is not TLS.
 */
export async function serverCredentials(files: TlsFiles): Promise<grpc.ServerCredentials> {
  checkPair(files);
  if (!files.certFile) {
    if (files.caFile) throw new Error(`a CA file "${files.caFile}" is set but no server certificate: mutual TLS needs a certificate and key as well`);
    return grpc.ServerCredentials.createInsecure();
  }
  const ca = files.caFile ? await readPem(files.caFile, 'CA file') : null;
  const pair = { cert_chain: await readPem(files.certFile, 'certificate file'), private_key: await readPem(files.keyFile!, 'key file') };
  return grpc.ServerCredentials.createSsl(ca, [pair], ca !== null);
}

/**
 * Builds channel credentials for calls to other servers: insecure unless a CA or a certificate
 * is given. With a CA, servers must present a certificate it signed; without one, the system's
 * roots are trusted. A certificate and key are sent as the client certificate.
 */
export async function channelCredentials(files: TlsFiles): Promise<grpc.ChannelCredentials> {
  checkPair(files);
  if (!files.caFile && !files.certFile) return grpc.credentials.createInsecure();
  const ca = files.caFile ? await readPem(files.caFile, 'CA file') : null;
  const cert = files.certFile ? await readPem(files.certFile, 'certificate file') : null;
  const key = files.keyFile ? await readPem(files.keyFile, 'key file') : null;
  return grpc.credentials.createSsl(ca, key, cert);
}
