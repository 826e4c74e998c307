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
 * over a round_robin channel to workers of its own, with `unitsPerWorker` in flight each. No
 * worker serves two topologies, so every process sits idle through the other topologies' runs
 * alike and none is warmer than the others.
 */
export async function startBenchProcesses(workerCounts: number[], s3Endpoint: string, logDir: string, unitsPerWorker: number, readAheadImages: number): Promise<BenchProcesses> {
  const common = { SHARDING_READ_AHEAD_IMAGES: String(readAheadImages) };
  const started = await Promise.all(
    workerCounts.map(async (count) => {
      const workers = await Promise.all(Array.from({ length: count }, (_, index) => startShardingProcess(`sharding-${count}w-worker-${index + 1}`, s3Endpoint, logDir, common)));
      const env: NodeJS.ProcessEnv = { ...common, SHARDING_CONCURRENCY: String(unitsPerWorker * Math.max(1, count)) };
      if (count > 0) env.SHARDING_WORKERS = `ipv4:${workers.map((worker) => worker.address).join(',')}`;
      const coordinator = await startShardingProcess(`sharding-${count}w-coordinator`, s3Endpoint, logDir, env);
      return { count, processes: [coordinator, ...workers] };
    }),
  );

  const topologies = new Map<number, Topology>();
  for (const { count, processes } of started) {
    const name = count === 0 ? 'one process, units in-process' : `coordinator + ${count} worker${count === 1 ? '' : 's'}`;
    topologies.set(count, { name, address: processes[0]!.address, processes });
  }
  return {
    topologies,
    stop: async () => {
      for (const { processes } of started) for (const process of processes) await process.process.stop(10_000);
    },
  };
}
