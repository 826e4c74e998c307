import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceSecurity } from './security.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'inception-security-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadServiceSecurity', () => {
  it('runs open without a tokens file', async () => {
    const security = await loadServiceSecurity({ tls: {} });
    expect(security.tokens.size).toBe(0);
    expect(security.transport).toBe('plaintext');
  });

  it('reads the tokens file', async () => {
    const file = path.join(dir, 'tokens');
    await writeFile(file, 'read 0123456789abcdef-read\nwrite 0123456789abcdef-write\n');
    const security = await loadServiceSecurity({ tokensFile: file, tls: {} });
    expect(security.tokens.scopeOf('0123456789abcdef-write')).toBe('write');
  });

  it('rejects a tokens file without tokens', async () => {
    const file = path.join(dir, 'empty-tokens');
    await writeFile(file, '# nobody yet\n');
    await expect(loadServiceSecurity({ tokensFile: file, tls: {} })).rejects.toThrow(`the tokens file "${file}" lists no tokens`);
  });

  it('names a tokens file that cannot be read', async () => {
    const file = path.join(dir, 'missing-tokens');
    await expect(loadServiceSecurity({ tokensFile: file, tls: {} })).rejects.toThrow(`cannot read the tokens file "${file}"`);
  });
});
