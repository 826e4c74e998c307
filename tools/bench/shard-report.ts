import type { OfflineRun } from './shard-offline.js';

export interface ServiceRun {
  seconds: number;
  images: number;
  /** CPU seconds of each sharding process, coordinator first. */
  shardingCpuSeconds: number[];
  s3CpuSeconds: number;
}

/** Runs of one round: one per topology and, in the first rounds, one per offline baseline, taken back to back. */
export interface Round {
  offline: Record<string, OfflineRun>;
  service: Record<string, ServiceRun>;
}

/** Returns the value below which `fraction` of `values` lie (nearest rank). */
export const quantile = (values: number[], fraction: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * fraction))]!;

export const median = (values: number[]) => quantile(values, 0.5);

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** Images per CPU second of all the sharding processes of a run. */
const imagesPerShardingCpuSecond = (run: ServiceRun) => run.images / sum(run.shardingCpuSeconds);

/**
 * Summarises the rounds: medians per baseline and topology, and each ratio computed within a
 * round (whose runs ran back to back under the same machine load) and then its median.
 */
export function summarise(rounds: Round[], topologyNames: Record<string, string>) {
  const offlineNames = Object.keys(rounds[0]!.offline);
  const serviceKeys = Object.keys(rounds[0]!.service);
  const offlineRounds = rounds.filter((round) => Object.keys(round.offline).length > 0);

  const offline = Object.fromEntries(
    offlineNames.map((name) => {
      const runs = offlineRounds.map((round) => round.offline[name]!);
      return [name, { imagesPerSecond: median(runs.map((run) => run.images / run.seconds)), cpuSeconds: median(runs.map((run) => run.cpuSeconds)) }];
    }),
  );
  const service = Object.fromEntries(
    serviceKeys.map((key) => {
      const runs = rounds.map((round) => round.service[key]!);
      return [
        key,
        {
          topology: topologyNames[key]!,
          imagesPerSecond: median(runs.map((run) => run.images / run.seconds)),
          shardingCpuSecondsPerProcess: runs[0]!.shardingCpuSeconds.map((_, index) => median(runs.map((run) => run.shardingCpuSeconds[index]!))),
          imagesPerShardingCpuSecond: median(runs.map(imagesPerShardingCpuSecond)),
          s3CpuSeconds: median(runs.map((run) => run.s3CpuSeconds)),
        },
      ];
    }),
  );

  const hasBothWorkerCounts = serviceKeys.includes('workers-1') && serviceKeys.includes('workers-2');
  const cpuRatios = hasBothWorkerCounts ? rounds.map((round) => imagesPerShardingCpuSecond(round.service['workers-2']!) / imagesPerShardingCpuSecond(round.service['workers-1']!)) : [];
  // Images over CPU seconds summed over every round: the definition of images per CPU second,
  // where a round that a burst of other load hit weighs by its CPU seconds rather than as one vote.
  const pooled = (key: string) => sum(rounds.map((round) => round.service[key]!.images)) / sum(rounds.map((round) => sum(round.service[key]!.shardingCpuSeconds)));
  const ratios = {
    cpuEfficiencyTwoWorkersOverOne: hasBothWorkerCounts ? median(cpuRatios) : undefined,
    cpuEfficiencyPooled: hasBothWorkerCounts ? pooled('workers-2') / pooled('workers-1') : undefined,
    cpuEfficiencyPerRound: cpuRatios,
    /** First and third quartile of the per-round ratios, which show how much the machine's load moved them. */
    cpuEfficiencyQuartiles: hasBothWorkerCounts ? [quantile(cpuRatios, 0.25), quantile(cpuRatios, 0.75)] : undefined,
    serviceOverOffline: Object.fromEntries(
      offlineNames.map((name) => [
        name,
        Object.fromEntries(
          serviceKeys.map((key) => [key, median(offlineRounds.map((round) => round.service[key]!.images / round.service[key]!.seconds / (round.offline[name]!.images / round.offline[name]!.seconds)))]),
        ),
      ]),
    ),
  };
  return { offline, service, ratios };
}

/** Prints the summary as lines for a terminal. */
export function printSummary(summary: ReturnType<typeof summarise>, say: (line: string) => void): void {
  for (const [name, value] of Object.entries(summary.offline)) {
    say(`offline ${name.padEnd(32)} ${value.imagesPerSecond.toFixed(0).padStart(7)} images/s, ${value.cpuSeconds.toFixed(2)} CPU s`);
  }
  for (const value of Object.values(summary.service)) {
    const perProcess = value.shardingCpuSecondsPerProcess.map((seconds) => seconds.toFixed(2)).join(' + ');
    say(`service ${value.topology.padEnd(32)} ${value.imagesPerSecond.toFixed(0).padStart(7)} images/s, sharding CPU ${perProcess} s = ${value.imagesPerShardingCpuSecond.toFixed(0)} images per CPU s, S3 CPU ${value.s3CpuSeconds.toFixed(2)} s`);
  }
  if (summary.ratios.cpuEfficiencyTwoWorkersOverOne !== undefined) {
    const [lower, upper] = summary.ratios.cpuEfficiencyQuartiles!;
    say(`images per sharding CPU second, 2 workers / 1 worker: ${summary.ratios.cpuEfficiencyPooled!.toFixed(2)} over all rounds; per round median ${summary.ratios.cpuEfficiencyTwoWorkersOverOne.toFixed(2)}, quartiles ${lower!.toFixed(2)} to ${upper!.toFixed(2)} (target ≥ 0.9)`);
    say(`per round: ${summary.ratios.cpuEfficiencyPerRound.map((ratio) => ratio.toFixed(2)).join(' ')}`);
  }
  for (const [name, byTopology] of Object.entries(summary.ratios.serviceOverOffline)) {
    for (const [key, ratio] of Object.entries(byTopology)) say(`images/s of service ${key} / offline ${name}: ${ratio.toFixed(2)} (target ≥ 0.5)`);
  }
}
