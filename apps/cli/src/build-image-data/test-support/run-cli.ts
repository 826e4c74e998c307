import { execFile } from 'node:child_process';
import path from 'node:path';

import { repoRoot } from '@inception/testing';

/** Output and exit status of one `inception` run. */
export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const MAIN_PATH = path.join(repoRoot, 'apps/cli/src/main.ts');

/** Runs `inception <args>` as a child process through tsx, with `env` added to this process's environment. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN_PATH, ...args],
      { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ exitCode: error === null ? 0 : (error.code as number), stdout, stderr });
      },
    );
  });
}
