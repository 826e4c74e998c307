import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Root of the checkout: this file sits at apps/cli/src/stack. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** tsx's loader, so children run TypeScript sources directly like `npm start` does. */
const TSX_LOADER = import.meta.resolve('tsx');

export interface StartedProcess {
  name: string;
  child: ChildProcess;
  /** The JSON object of the child's `ready` line. */
  ready: Record<string, unknown>;
  logFile: string;
  /** Sends SIGTERM and waits for the exit, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Sends SIGKILL and waits for the exit, as a crash or an out-of-memory kill would end it. */
  kill(): Promise<void>;
}

/** Thrown when a child exits or stays silent before it is ready; the message ends with its last log lines. */
export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError';
}

async function tail(file: string, lines: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Starts `node --import tsx <entry>` with `env`, copies its output to `logFile`, and resolves
 * with the first stdout line that is JSON with `msg: "ready"` (pino's format, and the S3
 * process's own line).
 */
export async function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv, logFile: string, readyTimeoutMs = 60_000): Promise<StartedProcess> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, path.resolve(REPO_ROOT, entry)], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stderr!.pipe(log, { end: false });

  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ProcessStartError(`${name} did not report ready within ${readyTimeoutMs} ms`)), readyTimeoutMs);
    const lines = createInterface({ input: child.stdout! });
    let settled = false;
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      if (settled || !line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.msg === 'ready') {
          settled = true;
          clearTimeout(timer);
          resolve(parsed);
        }
      } catch {
        // Not JSON: an ordinary log line.
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!settled) reject(new ProcessStartError(`${name} exited with ${signal ?? `code ${code}`} before it was ready`));
    });
  }).catch(async (error: Error) => {
    child.kill('SIGKILL');
    throw new ProcessStartError(`${error.message}; last lines of ${logFile}:\n${await tail(logFile, 15)}`);
  });

  const stop = (graceMs = 30_000) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(killer);
        log.end();
        resolve();
      });
      child.kill('SIGTERM');
    });

  const kill = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      child.once('exit', () => {
        log.end();
        resolve();
      });
      child.kill('SIGKILL');
    });

  return { name, child, ready, logFile, stop, kill };
}
