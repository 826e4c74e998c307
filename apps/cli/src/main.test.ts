import { describe, expect, it } from 'vitest';

import { runCli } from './build-image-data/test-support/run-cli.js';

// Returns --help output with every run of spaces and line breaks as one space, because commander
// pads columns and wraps long descriptions at the terminal width.
async function helpOf(...command: string[]): Promise<string> {
  const run = await runCli([...command, '--help']);
  expect(run.exitCode).toBe(0);
  return run.stdout.replace(/\s+/g, ' ');
}

describe('inception --help', () => {
  it('marks required options', async () => {
    const train = await helpOf('train');
    const importTf = await helpOf('models', 'import-tf');

    expect(train).toContain('--steps <n> training steps (required)');
    expect(train).toContain('--dataset <name@version> dataset version whose shards to use (required)');
    expect(train).toContain('--shard-set <id> shard set id returned by `inception shard` (required)');
    expect(importTf).toContain('--model <name> model to add the version to (required)');
  });

  it('shows the defaults the trainer applies', async () => {
    const train = await helpOf('train');
    const fineTune = await helpOf('fine-tune');

    expect(train).toContain('--seed <n> seed of initialisation and input order (default: random, chosen by the trainer and shown by `inception jobs show`)');
    expect(train).toContain('--image-size <pixels> square input side, at least 75 (default: 299)');
    expect(train).toContain('--learning-rate <rate> initial learning rate; the Flowers fine-tune recipe uses 0.001 (default: 0.1)');
    expect(fineTune).toContain('--seed <n> seed of the new logits and of the input order (default: random, chosen by the trainer and shown by `inception jobs show`)');
  });

  it('shows address defaults and variables', async () => {
    expect(await helpOf('jobs')).toContain('--trainer <address> trainer gRPC address (default: "127.0.0.1:50054", env: INCEPTION_TRAINER)');
    expect(await helpOf('dataset', 'list')).toContain('--ingestion <address> ingestion gRPC address (default: "127.0.0.1:50051", env: INCEPTION_INGESTION)');
  });

  it('shows import-tf numbers and choices', async () => {
    const importTf = await helpOf('models', 'import-tf');

    expect(importTf).toContain('--image-size <pixels> input side the version is used at (default: 299)');
    expect(importTf).toContain('(choices: "research", "slim", default: "research")');
  });
});

// Commander rejects these before a command calls any service.
describe('inception option errors', () => {
  it('requires train --steps', async () => {
    const run = await runCli(['train', '--dataset', 'fashion@1', '--shard-set', 'none-train2-validation2-threads2-seed12345']);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe("error: required option '--steps <n>' not specified\n");
  });

  it.each([
    [['dataset', 'import', 'flowers', 'flower_photos', '--validation-per-class', '-1'], "option '--validation-per-class <n>' argument '-1' is invalid. expected a whole number from 0 to 4294967295"],
    [['dataset', 'import', 'flowers', 'flower_photos', '--validation-per-class', ''], "option '--validation-per-class <n>' argument '' is invalid. expected a whole number from 0 to 4294967295"],
    [['train', '--dataset', 'fashion@1', '--shard-set', 'set', '--steps', '1.5'], "option '--steps <n>' argument '1.5' is invalid. expected a whole number from 1 to 4294967295"],
    [['train', '--dataset', 'fashion@1', '--shard-set', 'set', '--steps', '10', '--batch-norm-decay', '1'], "option '--batch-norm-decay <decay>' argument '1' is invalid. expected a number above 0 and below 1"],
    [['train', '--dataset', 'fashion@1', '--shard-set', 'set', '--steps', '10', '--learning-rate', '-0.1'], "option '--learning-rate <rate>' argument '-0.1' is invalid. expected a number above 0"],
    [['shard', '--dataset', 'fashion@1', '--train-shards', '0'], "option '--train-shards <n>' argument '0' is invalid. expected a whole number from 1 to 4294967295"],
    [['models', 'alias', 'flowers', 'production', '-1'], "command-argument value '-1' is invalid for argument 'version'. expected a whole number from 1 to 4294967295"],
    [['model', 'summary', '--depth-multiplier', '-1'], "option '--depth-multiplier <m>' argument '-1' is invalid. expected a number above 0"],
  ])('names the option and value in %j', async (args, message) => {
    const run = await runCli(args);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`error: ${message}\n`);
  });

  it('rejects an unknown import-tf format', async () => {
    const run = await runCli(['models', 'import-tf', 'model.ckpt', '--model', 'imported', '--format', 'keras']);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("option '--format <format>' argument 'keras' is invalid. Allowed choices are research, slim.");
  });
});
