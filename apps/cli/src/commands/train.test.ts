import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../build-image-data/test-support/run-cli.js';

// These runs end in option parsing, before any call. The trainer address is still one that this
// test opened and closed, so a run that got further would fail to connect instead of reaching a
// trainer it did not start.
let trainerAddress: string;

function trainCommand(command: string, ...args: string[]): string[] {
  return [command, '--trainer', trainerAddress, '--shard-set', 's', ...args];
}

beforeAll(async () => {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  trainerAddress = `127.0.0.1:${(listener.address() as { port: number }).port}`;
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

describe('inception train options', () => {
  it('names what is wrong with a dataset name', async () => {
    const run = await runCli(trainCommand('train', '--dataset', 'Bad Name@1', '--steps', '1'));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`dataset name "Bad Name" is invalid: use 1–63 lower-case letters, digits, '-' or '_', starting with a letter or digit`);
  });
});

describe('inception eval options', () => {
  it.each(['--seed', '--image-size', '--depth-multiplier', '--min-depth'])('leaves %s out of the help', async (option) => {
    const run = await runCli(['eval', '--help']);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toContain(option);
  });

  it('says what --batch-size does', async () => {
    const run = await runCli(['eval', '--help']);

    expect(run.stdout.replace(/\s+/g, ' ')).toContain('--batch-size <images> images per evaluation batch, for speed and memory; every image counts once whatever the size (default: 32)');
  });

  it('rejects --seed', async () => {
    const run = await runCli(trainCommand('eval', '--dataset', 'fashion@1', '--base', 'flowers@1', '--seed', '1'));

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("unknown option '--seed'");
  });

  it.each(['--image-size', '--depth-multiplier', '--min-depth'])('leaves %s out of fine-tune', async (option) => {
    const run = await runCli(['fine-tune', '--help']);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toContain(option);
    expect(run.stdout).toContain('--seed <n>');
  });

  it('keeps --seed for train', async () => {
    const run = await runCli(['train', '--help']);

    expect(run.stdout).toContain('--seed <n>');
    expect(run.stdout).toContain('--image-size <pixels>');
  });
});
