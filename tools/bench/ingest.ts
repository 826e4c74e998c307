// Benchmark of dataset import: images per second per core through the ingestion service's real
// code path, against a bare sharp decode of the same files. The import path is the gRPC handler,
// a full decode check, SHA-256, the upload to an in-process s3rver and the manifest. Rounds
// alternate the two and the summary gives medians.
// `npm run bench:ingest` (about a minute), `npm run bench:ingest:smoke` (seconds).
// Options: --images=N (500×375 photo JPEGs, default 400), --rounds=N (default 5),
// --concurrency=N (decodes in flight, default 4, as INGESTION_CONCURRENCY), --json.
import { readFile, readdir } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startIngestionHarness, writePhotoSet } from '@inception/ingestion/testing';
import { makeTempDir } from '@inception/testing';
import sharp from 'sharp';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    images: { type: 'string' },
    rounds: { type: 'string' },
    concurrency: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const CLASSES = ['daisy', 'dandelion', 'roses', 'tulips'];
const imageCount = Number(flags.images ?? (flags.smoke ? 40 : 400));
const rounds = Number(flags.rounds ?? (flags.smoke ? 2 : 5));
const concurrency = Number(flags.concurrency ?? 4);
const cores = availableParallelism();
/** The target of the import rate as a share of the bare decode rate. */
const TARGET_RATIO = 0.6;

const say = (line: string) => {
  if (!flags.json) console.log(line);
};
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

interface Measurement {
  seconds: number;
  imagesPerSecondPerCore: number;
  /** CPU time of this process per image, in milliseconds; the import's includes s3rver. */
  cpuMsPerImage: number;
}

async function measure(images: number, work: () => Promise<void>): Promise<Measurement> {
  const cpuBefore = process.cpuUsage();
  const startedMs = performance.now();
  await work();
  const seconds = (performance.now() - startedMs) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds, imagesPerSecondPerCore: images / seconds / cores, cpuMsPerImage: (cpu.user + cpu.system) / 1000 / images };
}

/** Reads and fully decodes every file with `concurrency` in flight, as the import does. */
async function decodeAll(files: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      await sharp(await readFile(file)).raw().toBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const temp = await makeTempDir('inception-bench-ingest-');
const root = path.join(temp.dir, 'flower_photos');
const perClass = Math.ceil(imageCount / CLASSES.length);
say(`writing ${perClass * CLASSES.length} photo JPEGs of 500×375 cut from the fixtures into ${root}`);
await writePhotoSet(root, { classes: CLASSES, perClass });
const files: string[] = [];
for (const className of CLASSES) {
  for (const name of (await readdir(path.join(root, className))).sort()) files.push(path.join(root, className, name));
}

const harness = await startIngestionHarness({ concurrency });
say(`${files.length} images, ${rounds} rounds, ${cores} cores, ${concurrency} decodes in flight; import through gRPC into an in-process s3rver`);

const decodes: Measurement[] = [];
const imports: Measurement[] = [];
try {
  // One unmeasured round of each warms the JIT, sharp and s3rver.
  await decodeAll(files);
  await harness.client.importDataset({ name: 'bench-warmup', source: root, settings: { split: { validation: { case: 'validationFraction', value: 0.1 } } } });

  for (let round = 0; round < rounds; round += 1) {
    const runImport = async () => {
      const response = await harness.client.importDataset({ name: `bench-${round}`, source: root, settings: { split: { validation: { case: 'validationFraction', value: 0.1 } } } });
      const stored = response.dataset!.trainImages + response.dataset!.validationImages;
      if (stored !== files.length) throw new Error(`round ${round + 1}: the import stored ${stored} of ${files.length} images`);
    };
    // Alternating the order spreads any drift (page cache, JIT, s3rver's folder growth) over both.
    const order = round % 2 === 0 ? (['decode', 'import'] as const) : (['import', 'decode'] as const);
    for (const kind of order) {
      if (kind === 'decode') decodes.push(await measure(files.length, () => decodeAll(files)));
      else imports.push(await measure(files.length, runImport));
    }
    const ratio = imports[round].imagesPerSecondPerCore / decodes[round].imagesPerSecondPerCore;
    say(
      `round ${round + 1}: decode ${decodes[round].imagesPerSecondPerCore.toFixed(1)} images/s/core (${decodes[round].cpuMsPerImage.toFixed(2)} CPU ms/image), ` +
        `import ${imports[round].imagesPerSecondPerCore.toFixed(1)} images/s/core (${imports[round].cpuMsPerImage.toFixed(2)} CPU ms/image), ratio ${ratio.toFixed(2)}`,
    );
  }
} finally {
  await harness.stop();
  await temp.remove();
}

const summary = {
  images: files.length,
  rounds,
  cores,
  concurrency,
  decodeImagesPerSecondPerCore: median(decodes.map((entry) => entry.imagesPerSecondPerCore)),
  importImagesPerSecondPerCore: median(imports.map((entry) => entry.imagesPerSecondPerCore)),
  medianRatio: median(imports.map((entry, index) => entry.imagesPerSecondPerCore / decodes[index].imagesPerSecondPerCore)),
  decodeCpuMsPerImage: median(decodes.map((entry) => entry.cpuMsPerImage)),
  importCpuMsPerImage: median(imports.map((entry) => entry.cpuMsPerImage)),
  targetRatio: TARGET_RATIO,
  // Other work on the machine slows the import's many short steps more than a plain decode.
  loadAverage1m: loadavg()[0],
};
if (flags.json) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  say(
    `median: decode ${summary.decodeImagesPerSecondPerCore.toFixed(1)} images/s/core, import ${summary.importImagesPerSecondPerCore.toFixed(1)} images/s/core, ` +
      `ratio ${summary.medianRatio.toFixed(2)} (target ≥ ${TARGET_RATIO}); CPU ms/image decode ${summary.decodeCpuMsPerImage.toFixed(2)}, ` +
      `import ${summary.importCpuMsPerImage.toFixed(2)}; load average ${summary.loadAverage1m.toFixed(1)} on ${cores} cores`,
  );
}
