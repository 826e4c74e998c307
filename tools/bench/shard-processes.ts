import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { startShardingProcess, type ShardingProcess } from '@inception/sharding/testing';

/** Clock ticks per second of the times in /proc/<pid>/stat. */
const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function childPids(pid: number): number[] {
  const children: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) children.push(...text.split(/\s+/).map(Number));
    } catch {
      // The thread ended while it was listed.
    }
  }
  return children;
}

/**
 * Returns the user + system CPU time of a process and its descendants, in seconds, from
 * /proc/<pid>/stat (fields 14 and 15). Descendants count because a process started with tsx
 * also runs an esbuild child that compiles its sources.
 */
export function processTreeCpuSeconds(pid: number): number {
  let ticks = 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces: state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks = Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
  let seconds = ticks / CLOCK_TICKS_PER_SECOND;
  for (const child of childPids(pid)) seconds += processTreeCpuSeconds(child);
  return seconds;
}

export interface Topology {
  name: string;
  /** Address the benchmark sends ShardDataset to. */
  address: string;
  /** Every sharding process that does work in the topology, coordinator first. */
  processes: ShardingProcess[];
}

export interface BenchProcesses {
  /** By number of worker processes: 0 is one process that writes every unit itself. */
  topologies: Map<number, Topology>;
  stop(): Promise<void>;
}

/**
 * Starts, all at once, the sharding processes of the benchmark's topologies. Worker count 0 is
 * one process that writes every unit itself. Any other count gets a coordinator that sends units
 * over a round_robin channel to that many shared workers, with `unitsPerWorker` in flight each.
 */
export async function startBenchProcesses(workerCounts: number[], s3Endpoint: string, logDir: string, unitsPerWorker: number, readAheadImages: number): Promise<BenchProcesses> {
  const maxWorkers = Math.max(0, ...workerCounts);
  const common = { SHARDING_READ_AHEAD_IMAGES: String(readAheadImages) };
  const workers = await Promise.all(Array.from({ length: maxWorkers }, (_, index) => startShardingProcess(`sharding-worker-${index + 1}`, s3Endpoint, logDir, common)));
  const coordinators = await Promise.all(
    workerCounts.map((count) => {
      const env: NodeJS.ProcessEnv = { ...common, SHARDING_CONCURRENCY: String(unitsPerWorker * Math.max(1, count)) };
      if (count > 0) env.SHARDING_WORKERS = `ipv4:${workers.slice(0, count).map((worker) => worker.address).join(',')}`;
      return startShardingProcess(`sharding-coordinator-${count}`, s3Endpoint, logDir, env);
    }),
  );

  const topologies = new Map<number, Topology>();
  workerCounts.forEach((count, index) => {
    const coordinator = coordinators[index]!;
    const name = count === 0 ? 'one process, units in-process' : `coordinator + ${count} worker${count === 1 ? '' : 's'}`;
    topologies.set(count, { name, address: coordinator.address, processes: [coordinator, ...workers.slice(0, count)] });
  });
  return {
    topologies,
    stop: async () => {
      for (const process of [...coordinators, ...workers]) await process.process.stop(10_000);
    },
  };
}
