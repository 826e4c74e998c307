/**
 * Runs Debian's Prometheus binary on 127.0.0.1 against the project's scrape configuration, with
 * the targets rewritten to services started on this machine, for the slow deployment tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { DEPLOY_DIR, RULES_DIR } from './deploy-queries.js';

interface ScrapeConfig {
  job_name: string;
  static_configs?: Array<{ targets: string[] }>;
  dns_sd_configs?: unknown[];
  [key: string]: unknown;
}

interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

export interface LocalPrometheusOptions {
  /** The prometheus binary. */
  binary: string;
  /** Folder for the configuration, the TSDB and the log. */
  directory: string;
  /** host:port of each scrape job's metrics listener; jobs not named here are dropped. */
  targets: Record<string, string>;
  /** Scrape and rule evaluation interval, e.g. "1s". */
  interval: string;
  /** How long to wait for /-/ready, in milliseconds. */
  readyTimeoutMs: number;
}

export interface LocalPrometheus {
  url: string;
  logFile: string;
  /** Runs an instant query and returns its result vector; throws on an error status. */
  query(expression: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** GETs an API path such as /api/v1/rules and returns its `data`. */
  get<T>(apiPath: string): Promise<T>;
  stop(): Promise<void>;
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Returns deploy/prometheus/prometheus.yml with every job that `targets` names scraping that
 * address statically, the other jobs removed, the rule files at their absolute paths and the
 * scrape and evaluation intervals set to `interval`.
 */
export async function rewriteScrapeConfig(targets: Record<string, string>, interval: string): Promise<string> {
  const config = parse(await readFile(path.join(DEPLOY_DIR, 'prometheus/prometheus.yml'), 'utf8')) as PrometheusConfig;

  config.global = { ...config.global, scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval };
  config.rule_files = [path.join(RULES_DIR, '*.rules.yml')];
  config.scrape_configs = config.scrape_configs
    .filter((job) => targets[job.job_name] !== undefined)
    .map(({ static_configs: _static, dns_sd_configs: _dns, ...job }) => ({ ...job, static_configs: [{ targets: [targets[job.job_name]] }] }));
  return stringify(config);
}

/** Starts Prometheus and waits until it reports ready; throws with its log when it does not. */
export async function startLocalPrometheus(options: LocalPrometheusOptions): Promise<LocalPrometheus> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const configFile = path.join(options.directory, 'prometheus.yml');
  const logFile = path.join(options.directory, 'prometheus.log');
  await mkdir(path.join(options.directory, 'data'), { recursive: true });
  await writeFile(configFile, await rewriteScrapeConfig({ ...options.targets, prometheus: address }, options.interval));

  const child: ChildProcess = spawn(options.binary, [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(options.directory, 'data')}`, `--web.listen-address=${address}`, '--log.level=warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = `http://${address}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
      if (killed) child.kill('SIGKILL');
    }
    await exited;
    log.end();
  };

  const deadlineMs = Date.now() + options.readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`prometheus exited with code ${child.exitCode} before it was ready:\n${await readFile(logFile, 'utf8')}`);
    }
    const ready = await fetch(`${url}/-/ready`).then((response) => response.ok, () => false);
    if (ready) break;
    if (Date.now() > deadlineMs) {
      await stop();
      throw new Error(`prometheus at ${url} was not ready within ${options.readyTimeoutMs} ms:\n${await readFile(logFile, 'utf8')}`);
    }
    await sleep(200);
  }

  const get = async <T>(apiPath: string): Promise<T> => {
    const response = await fetch(`${url}${apiPath}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${apiPath}: ${body.error ?? response.statusText}`);
    return body.data;
  };
  const query = async (expression: string) => {
    const data = await get<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`/api/v1/query?query=${encodeURIComponent(expression)}`);
    return data.resultType === 'vector' ? data.result : [];
  };

  return { url, logFile, query, get, stop };
}

/** Calls `check` until it returns a value other than undefined, or throws after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadlineMs = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadlineMs) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `; last error: ${(lastError as Error).message}` : ''}`);
}
