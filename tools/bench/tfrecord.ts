/**
 * Measures the TFRecord writer and reader against baselines run side by side in the same process:
 * - writer: encode and write Example records, against a `pipeline()` copy of the same shard file;
 * - reader: read every record with both CRCs checked, against a plain `fs.createReadStream` read;
 * - writer against `@roboflow/tfrecords` 1.0.4 encoding and writing the same records.
 * Each round runs our writer, the copy, our reader, the plain read and the roboflow writer in that
 * order, so each measurement alternates with its baseline. The report gives median ratios.
 *
 * Run from the repository root: npx tsx tools/bench/tfrecord.ts [--size-mb=1000] [--rounds=5]
 *   [--payload-kb=110] [--dir=<temporary folder>] [--json] [--enforce]
 * `--enforce` exits with status 1 when a target is missed. Files go to page cache, never fsync'd.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import {
  copyWithPipe,
  makeBenchRecords,
  readWithOurReader,
  readWithPlainStream,
  writeWithOurWriter,
  writeWithRoboflow,
  type RunResult,
} from './tfrecord-runs.js';

const RUN_NAMES = ['ourWriter', 'pipeCopy', 'ourReader', 'plainRead', 'roboflowWriter'] as const;
type RunName = (typeof RUN_NAMES)[number];

/** Ratios the report checks, with the minimum each must reach. */
const TARGETS = [
  { name: 'writer / pipe copy', numerator: 'ourWriter', denominator: 'pipeCopy', minimum: 0.6 },
  { name: 'reader / plain read', numerator: 'ourReader', denominator: 'plainRead', minimum: 0.6 },
  { name: 'writer / roboflow writer', numerator: 'ourWriter', denominator: 'roboflowWriter', minimum: 3 },
] as const satisfies readonly { name: string; numerator: RunName; denominator: RunName; minimum: number }[];

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`bench:tfrecord: --${flag} must be a positive number, got "${text}"`);
    process.exit(2);
  }
  return value;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const megabytesPerSecond = (run: RunResult): number => run.bytes / 1e6 / run.seconds;

const { values: flags } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
    'payload-kb': { type: 'string', default: '110' },
    dir: { type: 'string' },
    json: { type: 'boolean', default: false },
    enforce: { type: 'boolean', default: false },
  },
});
const shardSizeBytes = positiveNumber('size-mb', flags['size-mb']) * 1e6;
const rounds = Math.round(positiveNumber('rounds', flags.rounds));
const payloadBytes = Math.round(positiveNumber('payload-kb', flags['payload-kb']) * 1000);

const workDir = await mkdtemp(path.join(flags.dir ?? tmpdir(), 'bench-tfrecord-'));
const shardPath = path.join(workDir, 'train-00000-of-00001');
const copyPath = path.join(workDir, 'pipe-copy');
const roboflowPath = path.join(workDir, 'roboflow');
const records = makeBenchRecords(shardSizeBytes, payloadBytes);
const throughputs: Record<RunName, number[]> = { ourWriter: [], pipeCopy: [], ourReader: [], plainRead: [], roboflowWriter: [] };
const log = (line: string): void => {
  if (!flags.json) console.log(line);
};

log(`${records.length} records of ${payloadBytes} payload bytes, ${rounds} rounds, files in ${workDir}`);
try {
  for (let round = 1; round <= rounds; round++) {
    const results: Record<RunName, RunResult> = {
      ourWriter: await writeWithOurWriter(shardPath, records),
      pipeCopy: await copyWithPipe(shardPath, copyPath),
      ourReader: await readWithOurReader(shardPath),
      plainRead: await readWithPlainStream(shardPath),
      roboflowWriter: await writeWithRoboflow(roboflowPath, records),
    };
    await rm(copyPath);
    await rm(roboflowPath);

    for (const name of RUN_NAMES) {
      throughputs[name].push(megabytesPerSecond(results[name]));
    }
    log(`round ${round}: ${RUN_NAMES.map((name) => `${name} ${megabytesPerSecond(results[name]).toFixed(0)} MB/s`).join(', ')}`);
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}

// A ratio per round, then the median across rounds, so a slow round of one run does not pair
// with a fast round of its baseline.
const report = TARGETS.map((target) => {
  const ratios = throughputs[target.numerator].map((value, i) => value / throughputs[target.denominator][i]);
  const medianRatio = median(ratios);
  return { ...target, ratios, medianRatio, met: medianRatio >= target.minimum };
});
const medians = Object.fromEntries(RUN_NAMES.map((name) => [name, median(throughputs[name])]));

if (flags.json) {
  console.log(JSON.stringify({ records: records.length, payloadBytes, rounds, medianMegabytesPerSecond: medians, ratios: report }, null, 2));
} else {
  log(`median MB/s: ${RUN_NAMES.map((name) => `${name} ${medians[name].toFixed(0)}`).join(', ')}`);
  for (const entry of report) {
    log(`${entry.name}: median ${entry.medianRatio.toFixed(2)}× (target ≥ ${entry.minimum}×, ${entry.met ? 'met' : 'MISSED'})`);
  }
}

if (flags.enforce && report.some((entry) => !entry.met)) {
  process.exitCode = 1;
}
