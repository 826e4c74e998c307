import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

const S3_SECRET = 'aws-secret-0f3c9e1d2b';
const SERVICE_TOKEN = 'service-token-7a41c2e9d0b3f5a6';
const USER_TOKEN = 'user-token-9b8c7d6e5f4a3b2c';

/** Logs through `write` into a string and returns everything written. */
function capture(write: (logger: ReturnType<typeof createLogger>) => void): string {
  const lines: string[] = [];
  const logger = createLogger('test', 'info', { write: (line: string) => lines.push(line) });
  write(logger);
  return lines.join('');
}

describe('createLogger redaction', () => {
  it('redacts secrets at the top level', () => {
    const output = capture((logger) => logger.info({ S3_SECRET_KEY: S3_SECRET, SERVICE_TOKEN }, 'start'));
    expect(output).not.toContain(S3_SECRET);
    expect(output).not.toContain(SERVICE_TOKEN);
  });

  it('redacts an environment dump', () => {
    const env = { S3_ENDPOINT: 'http://127.0.0.1:9000', S3_SECRET_KEY: S3_SECRET, SERVICE_TOKEN, INCEPTION_TOKEN: USER_TOKEN, AUTH_TOKENS_FILE: '/run/secrets/tokens' };
    const output = capture((logger) => logger.info({ env }, 'environment'));
    expect(output).not.toContain(S3_SECRET);
    expect(output).not.toContain(SERVICE_TOKEN);
    expect(output).not.toContain(USER_TOKEN);
  });

  it('keeps the harmless values of an environment dump', () => {
    const output = capture((logger) => logger.info({ env: { S3_ENDPOINT: 'http://127.0.0.1:9000', S3_SECRET_KEY: S3_SECRET } }, 'environment'));
    expect(output).toContain('http://127.0.0.1:9000');
    expect(output).toContain('[redacted]');
  });

  it('redacts a nested configuration', () => {
    const output = capture((logger) => logger.info({ service: { config: { S3_SECRET_KEY: S3_SECRET, SERVICE_TOKEN } } }, 'config'));
    expect(output).not.toContain(S3_SECRET);
    expect(output).not.toContain(SERVICE_TOKEN);
  });

  it('redacts store and client options', () => {
    const output = capture((logger) => logger.info({ store: { secretKey: S3_SECRET }, client: { token: USER_TOKEN } }, 'options'));
    expect(output).not.toContain(S3_SECRET);
    expect(output).not.toContain(USER_TOKEN);
  });

  it('redacts authorization headers', () => {
    const output = capture((logger) => logger.info({ request: { headers: { authorization: `Bearer ${USER_TOKEN}` } } }, 'call'));
    expect(output).not.toContain(USER_TOKEN);
  });

  it('redacts gRPC metadata as logged', () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${USER_TOKEN}`);
    const output = capture((logger) => logger.info({ metadata, headers: metadata.getMap() }, 'call'));
    expect(output).not.toContain(USER_TOKEN);
  });

  it('redacts child logger bindings', () => {
    const output = capture((logger) => logger.child({ client: { token: USER_TOKEN } }).info({}, 'child'));
    expect(output).not.toContain(USER_TOKEN);
  });
});
