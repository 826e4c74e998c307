import path from 'node:path';
import { Command, Help, type Option } from 'commander';
import { resolveClientSecurity, useClientSecurity, type SecurityFlags } from './clients.js';
import { runDemo } from './commands/demo.js';
import { runModelSummary } from './commands/model-summary.js';
import { positiveInteger, positiveNumber } from './commands/option-parsers.js';
import { registerJobCommands } from './commands/jobs.js';
import { registerModelCommands } from './commands/models.js';
import { registerShardCommand } from './commands/shard.js';
import { registerShardSetsCommand } from './commands/shard-sets.js';
import { registerTfrecordCommands } from './commands/tfrecord-inspect.js';
import { registerBuildImageDataCommand } from './commands/build-image-data.js';
import { registerCheckpointCommands } from './commands/checkpoint-inspect.js';
import { registerDatasetCommands } from './commands/dataset.js';
import { registerTrainCommands } from './commands/train.js';
import { runUp } from './commands/up.js';
import { REPO_ROOT } from './stack/child-process.js';

const program = new Command('inception').description('Train Inception v3 image classifiers: datasets, TFRecord shards, training jobs and model versions over gRPC.');

// Commander 14 checks requiredOption but does not say so in --help. Subcommands copy this setting
// when they are created, so it is configured before any of them.
program.configureHelp({
  optionDescription(option: Option): string {
    const description = Help.prototype.optionDescription.call(this, option);
    return option.mandatory ? `${description} (required)` : description;
  },
});

// Global options: every command that calls the services sends this token and uses this TLS setup.
// clients.ts reads the variables, which count only when not empty, so `(env: …)` is help text here.
program
  .option('--token <token>', 'bearer token sent to the services; other local users can see it in the process list, so prefer INCEPTION_TOKEN or --token-file (env: INCEPTION_TOKEN)')
  .option('--token-file <file>', 'file that contains the bearer token, used in place of --token')
  .option('--tls-ca-file <file>', "PEM CA that signed the services' certificates; turns on TLS (env: INCEPTION_TLS_CA_FILE)")
  .option('--tls-cert-file <file>', 'PEM client certificate for mutual TLS (env: INCEPTION_TLS_CERT_FILE)')
  .option('--tls-key-file <file>', 'PEM key of --tls-cert-file (env: INCEPTION_TLS_KEY_FILE)')
  .hook('preAction', async () => useClientSecurity(await resolveClientSecurity(program.opts<SecurityFlags>(), process.env)));

program
  .command('demo')
  .description('start the stack, run the whole pipeline on data/samples, print a summary and stop')
  .option('--steps <n>', 'training steps', positiveInteger, 400)
  .option('--samples <dir>', 'folder with train/ and validation/ class folders', path.join(REPO_ROOT, 'data/samples/fashion-mnist'))
  .option('--data-dir <dir>', 'folder for objects and logs of this run', path.join(REPO_ROOT, '.inception/demo'))
  .option('--keep-data', 'keep the objects and logs after the run', false)
  .option('--json', 'print the summary as JSON', false)
  .action(async (options: { steps: number; samples: string; dataDir: string; keepData: boolean; json: boolean }) => runDemo(options));

program
  .command('up')
  .description('start the embedded S3 server (unless S3_ENDPOINT is set) and the four services in the foreground')
  .option('--data-dir <dir>', 'folder for objects and logs', path.join(REPO_ROOT, '.inception/stack'))
  .action(async (options: { dataDir: string }) => runUp(options));

program
  .command('model')
  .description('Inception v3 model tools')
  .command('summary')
  .description('print layer shapes and parameter counts')
  .option('--num-classes <n>', 'number of logits', positiveInteger, 1001)
  .option('--image-size <n>', 'input side in pixels', positiveInteger, 299)
  .option('--depth-multiplier <m>', 'factor on every convolution depth', positiveNumber, 1)
  .option('--min-depth <n>', 'smallest convolution depth', positiveInteger, 16)
  .option('--aux-logits', 'include the auxiliary head', false)
  .option('--json', 'print JSON', false)
  .action(async (options) => runModelSummary(options));

registerTrainCommands(program);
registerJobCommands(program);
registerModelCommands(program);
registerShardCommand(program);
registerShardSetsCommand(program);
registerTfrecordCommands(program);
registerBuildImageDataCommand(program);
registerCheckpointCommands(program);
registerDatasetCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // A service that cannot be reached fails with status 1, as any other error does. The clients
  // that clients.ts's connect creates give that error a message naming the service and the fix.
  console.error(`inception: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
