import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files of a test CA, a server certificate for 127.0.0.1 and localhost, and a client certificate. */
export interface TestCertificates {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd });
}

async function issue(dir: string, name: string, subject: string, extensions: string, ca: { cert: string; key: string }): Promise<void> {
  await writeFile(path.join(dir, `${name}.ext`), extensions);
  await openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
}

/**
 * Creates a CA and certificates it signed in `dir` with the openssl command, for tests. The
 * service certificate carries both serverAuth and clientAuth, because a service uses one
 * certificate to serve and to call other services. Each run makes new keys.
 */
export async function createTestCertificates(dir: string, caName = 'test-ca'): Promise<TestCertificates> {
  await mkdir(dir, { recursive: true });
  await openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${caName}.key`, '-out', `${caName}.crt`, '-days', '2', '-subj', `/CN=${caName}`]);
  const ca = { cert: `${caName}.crt`, key: `${caName}.key` };
  await issue(dir, `${caName}-server`, '/CN=inception-service', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n', ca);
  await issue(dir, `${caName}-client`, '/CN=inception-client', 'extendedKeyUsage=clientAuth\n', ca);
  return {
    caFile: path.join(dir, ca.cert),
    serverCertFile: path.join(dir, `${caName}-server.crt`),
    serverKeyFile: path.join(dir, `${caName}-server.key`),
    clientCertFile: path.join(dir, `${caName}-client.crt`),
    clientKeyFile: path.join(dir, `${caName}-client.key`),
  };
}
