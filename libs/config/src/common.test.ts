import { describe, expect, it } from 'vitest';
import { commonEnv } from './common.js';
import { ConfigError, describeEnv, parseEnv } from './env.js';

const table = commonEnv('test', 50050, 9460);
const required = { S3_ENDPOINT: 'http://127.0.0.1:9000' };

describe('commonEnv', () => {
  it('runs without authentication or TLS by default', () => {
    const config = parseEnv(table, required);
    expect(config.AUTH_TOKENS_FILE).toBeUndefined();
    expect(config.SERVICE_TOKEN).toBeUndefined();
    expect(config.TLS_CERT_FILE).toBeUndefined();
  });

  it('defaults the stream and retry limits', () => {
    const config = parseEnv(table, required);
    expect(config.GRPC_MAX_CONCURRENT_STREAMS).toBe(100);
    expect(config.S3_MAX_ATTEMPTS).toBe(5);
  });

  it('reads the security variables', () => {
    const config = parseEnv(table, { ...required, AUTH_TOKENS_FILE: '/run/secrets/tokens', SERVICE_TOKEN: 'service-token-0123456789', TLS_CA_FILE: '/etc/ca.pem' });
    expect(config.AUTH_TOKENS_FILE).toBe('/run/secrets/tokens');
    expect(config.TLS_CA_FILE).toBe('/etc/ca.pem');
  });

  it('rejects zero attempts, naming the variable', () => {
    expect(() => parseEnv(table, { ...required, S3_MAX_ATTEMPTS: '0' })).toThrow(ConfigError);
    expect(() => parseEnv(table, { ...required, S3_MAX_ATTEMPTS: '0' })).toThrow('S3_MAX_ATTEMPTS="0"');
  });

  it.each(['AUTH_TOKENS_FILE', 'SERVICE_TOKEN', 'TLS_CERT_FILE', 'TLS_KEY_FILE', 'TLS_CA_FILE'])('documents %s in the README table', (name) => {
    expect(describeEnv(table)).toContain(`| \`${name}\` | (none) |`);
  });
});
