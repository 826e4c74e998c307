import type { Clients } from '../../apps/cli/src/clients.js';
import { ServiceError } from '@inception/rpc';
import type { DatasetRef } from '@inception/proto';

/** Objects the workload reads, made once before the measurement starts. */
export interface WorkloadTargets {
  dataset: DatasetRef;
  model: string;
  version: number;
  /** A finished job, so WatchJob sends one message and ends. */
  jobId: string;
}

/** Latencies and errors of one method over the run. */
export interface MethodStats {
  method: string;
  /** Clients that called only this method. */
  clients: number;
  calls: number;
  errors: number;
  /** Count per gRPC status name, e.g. { UNAVAILABLE: 2 }. */
  errorCodes: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  callsPerSecond: number;
}

type Operation = [method: string, run: (clients: Clients, targets: WorkloadTargets) => Promise<unknown>];

/** The calls the clients make; client i calls operation i modulo their number. */
export const OPERATIONS: Operation[] = [
  ['GetVersion', (clients, targets) => clients.registry.getVersion({ model: targets.model, version: targets.version })],
  ['ListVersions', (clients, targets) => clients.registry.listVersions({ model: targets.model })],
  ['GetDataset', (clients, targets) => clients.ingestion.getDataset({ dataset: targets.dataset })],
  ['ListDatasets', (clients) => clients.ingestion.listDatasets({})],
  [
    'WatchJob',
    async (clients, targets) => {
      for await (const _ of clients.trainer.watchJob({ jobId: targets.jobId })) void _;
    },
  ],
  ['GetJob', (clients, targets) => clients.trainer.getJob({ jobId: targets.jobId })],
];

function percentile(sortedMs: number[], fraction: number): number {
  if (sortedMs.length === 0) return 0;
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil(fraction * sortedMs.length) - 1)]!;
}

/**
 * Runs one closed loop per client until `endMs`, client i calling operation i modulo their
 * number, so every method runs at once and a slow method does not hold back the others' callers.
 * Calls that end before `recordFromMs` warm the channels up and are not counted.
 */
export async function runWorkload(clientsList: Clients[], targets: WorkloadTargets, recordFromMs: number, endMs: number, methods: readonly string[] = OPERATIONS.map(([method]) => method)): Promise<MethodStats[]> {
  const operations = OPERATIONS.filter(([method]) => methods.includes(method));
  const latencies = new Map<string, number[]>(operations.map(([method]) => [method, []]));
  const errors = new Map<string, Record<string, number>>(operations.map(([method]) => [method, {}]));

  const loop = async (clients: Clients, clientIndex: number) => {
    const [method, run] = operations[clientIndex % operations.length]!;
    while (Date.now() < endMs) {
      const startedNs = process.hrtime.bigint();
      let code: string | undefined;
      try {
        await run(clients, targets);
      } catch (error) {
        code = error instanceof ServiceError ? error.codeName : 'CLIENT_ERROR';
      }
      if (Date.now() < recordFromMs) continue;
      latencies.get(method)!.push(Number(process.hrtime.bigint() - startedNs) / 1e6);
      if (code) errors.get(method)![code] = (errors.get(method)![code] ?? 0) + 1;
    }
  };
  await Promise.all(clientsList.map((clients, clientIndex) => loop(clients, clientIndex)));

  const recordedSeconds = (endMs - recordFromMs) / 1000;
  return operations.map(([method], operationIndex) => {
    const sortedMs = latencies.get(method)!.sort((a, b) => a - b);
    const errorCodes = errors.get(method)!;
    return {
      method,
      clients: clientsList.filter((_, clientIndex) => clientIndex % operations.length === operationIndex).length,
      calls: sortedMs.length,
      errors: Object.values(errorCodes).reduce((sum, count) => sum + count, 0),
      errorCodes,
      p50Ms: percentile(sortedMs, 0.5),
      p99Ms: percentile(sortedMs, 0.99),
      maxMs: sortedMs.at(-1) ?? 0,
      callsPerSecond: sortedMs.length / recordedSeconds,
    };
  });
}
