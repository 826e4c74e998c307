// Benchmark of dataset import: images per second per core through the ingestion service's real
// code path, against a bare sharp decode of the same files. The import path is the gRPC handler,
// a full decode check, SHA-256, the upload to s3rver and the manifest. Rounds alternate the two
// and the summary gives medians.
// `npm run bench:ingest` (a few minutes), `npm run bench:ingest:smoke` (seconds).
// Options: --images=N (500×375 photo JPEGs, default 400), --rounds=N (default 5),
// --concurrency=N (the import's INGESTION_CONCURRENCY, default 4), --decode-concurrency=N (decodes
// in flight in the baseline, default 4: more gain nothing on 2 cores),
// --s3=in-process|process (where s3rver runs, default in-process), --json.
import { readFile, readdir } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writePhotoSet } from '@inception/ingestion/testing';
import { makeTempDir } from '@inception/testing';
import sharp from 'sharp';
import { startIngestTarget, type S3Placement } from './ingest-setup.js';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    images: { type: 'string' },
    rounds: { type: 'string' },
    concurrency: { type: 'string' },
    'decode-concurrency': { type: 'string' },
    s3: { type: 'string', default: 'in-process' },
    json: { type: 'boolean', default: false },
  },
});
const CLASSES = ['daisy', 'dandelion', 'roses', 'tulips'];
const imageCount = Number(flags.images ?? (flags.smoke ? 40 : 400));
const rounds = Number(flags.rounds ?? (flags.smoke ? 2 : 5));
const concurrency = Number(flags.concurrency ?? 4);
const decodeConcurrency = Number(flags['decode-concurrency'] ?? 4);
const placement = flags.s3 as S3Placement;
if (placement !== 'in-process' && placement !== 'process') throw new Error(`--s3 must be in-process or process, got "${flags.s3}"`);
const cores = availableParallelism();
/** The target of the import rate as a share of the bare decode rate. */
const TARGET_RATIO = 0.6;
const SPLIT = { validation: { case: 'validationFraction' as const, value: 0.1 } };

const say = (line: string) => {
  if (!flags.json) console.log(line);
};
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

interface Measurement {
  imagesPerSecondPerCore: number;
  /** CPU time of this process per image, in milliseconds: decoding, or the whole service path. */
  cpuMsPerImage: number;
  /** CPU time of the S3 server process per image, in milliseconds; 0 when s3rver runs in this process. */
  s3CpuMsPerImage: number;
}

async function measure(images: number, s3CpuSeconds: () => number, work: () => Promise<void>): Promise<Measurement> {
  const cpuBefore = process.cpuUsage();
  const s3Before = s3CpuSeconds();
  const startedMs = performance.now();
  await work();
  const seconds = (performance.now() - startedMs) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { imagesPerSecondPerCore: images / seconds / cores, cpuMsPerImage: (cpu.user + cpu.system) / 1000 / images, s3CpuMsPerImage: ((s3CpuSeconds() - s3Before) * 1000) / images };
}

/** Reads and fully decodes every file with `decodeConcurrency` in flight. */
async function decodeAll(files: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      await sharp(await readFile(file)).raw().toBuffer();
    }
  };
  await Promise.all(Array.from({ length: decodeConcurrency }, worker));
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

const target = await startIngestTarget(placement, concurrency, temp.dir);
say(`${files.length} images, ${rounds} rounds, ${cores} cores, ${decodeConcurrency} decodes in flight, import concurrency ${concurrency}; import through gRPC into s3rver ${placement === 'process' ? 'in a child process' : 'in this process'}`);

const decodes: Measurement[] = [];
const imports: Measurement[] = [];
try {
  // One unmeasured round of each warms the JIT, sharp and s3rver.
  await decodeAll(files);
  await target.client.importDataset({ name: 'bench-warmup', source: root, settings: { split: SPLIT } });

  for (let round = 0; round < rounds; round += 1) {
    const runImport = async () => {
      const response = await target.client.importDataset({ name: `bench-${round}`, source: root, settings: { split: SPLIT } });
      const stored = response.dataset!.trainImages + response.dataset!.validationImages;
      if (stored !== files.length) throw new Error(`round ${round + 1}: the import stored ${stored} of ${files.length} images`);
    };
    // Alternating the order spreads any drift (page cache, JIT, s3rver's folder growth) over both.
    const order = round % 2 === 0 ? (['decode', 'import'] as const) : (['import', 'decode'] as const);
    for (const kind of order) {
      if (kind === 'decode') decodes.push(await measure(files.length, () => 0, () => decodeAll(files)));
      else imports.push(await measure(files.length, target.s3CpuSeconds, runImport));
    }
    const ratio = imports[round].imagesPerSecondPerCore / decodes[round].imagesPerSecondPerCore;
    const s3Cpu = placement === 'process' ? ` + ${imports[round].s3CpuMsPerImage.toFixed(2)} in the S3 process` : '';
    say(
      `round ${round + 1}: decode ${decodes[round].imagesPerSecondPerCore.toFixed(1)} images/s/core (${decodes[round].cpuMsPerImage.toFixed(2)} CPU ms/image), ` +
        `import ${imports[round].imagesPerSecondPerCore.toFixed(1)} images/s/core (${imports[round].cpuMsPerImage.toFixed(2)} CPU ms/image${s3Cpu}), ratio ${ratio.toFixed(2)}`,
    );
  }
} finally {
  await target.stop();
  await temp.remove();
}

const decodeCpuMsPerImage = median(decodes.map((entry) => entry.cpuMsPerImage));
const importCpuMsPerImage = median(imports.map((entry) => entry.cpuMsPerImage));
const summary = {
  images: files.length,
  rounds,
  cores,
  concurrency,
  decodeConcurrency,
  s3: placement,
  decodeImagesPerSecondPerCore: median(decodes.map((entry) => entry.imagesPerSecondPerCore)),
  importImagesPerSecondPerCore: median(imports.map((entry) => entry.imagesPerSecondPerCore)),
  medianRatio: median(imports.map((entry, index) => entry.imagesPerSecondPerCore / decodes[index].imagesPerSecondPerCore)),
  decodeCpuMsPerImage,
  importCpuMsPerImage,
  s3CpuMsPerImage: median(imports.map((entry) => entry.s3CpuMsPerImage)),
  // Images per CPU-second of this process, import over decode: the rate per core that is busy.
  cpuRatio: decodeCpuMsPerImage / importCpuMsPerImage,
  targetRatio: TARGET_RATIO,
  // Other work on the machine slows the import's many short steps more than a plain decode.
  loadAverage1m: loadavg()[0],
};
if (flags.json) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  say(
    `median: decode ${summary.decodeImagesPerSecondPerCore.toFixed(1)} images/s/core, import ${summary.importImagesPerSecondPerCore.toFixed(1)} images/s/core, ` +
      `ratio ${summary.medianRatio.toFixed(2)} (target ≥ ${TARGET_RATIO})`,
  );
  say(
    `CPU ms/image: decode ${decodeCpuMsPerImage.toFixed(2)}, import ${importCpuMsPerImage.toFixed(2)} in this process` +
      (placement === 'process' ? ` + ${summary.s3CpuMsPerImage.toFixed(2)} in the S3 process` : ' (s3rver included)') +
      `, CPU ratio ${summary.cpuRatio.toFixed(2)}; load average ${summary.loadAverage1m.toFixed(1)} on ${cores} cores`,
  );
  if (flags.smoke) say('smoke run: too few images to judge the target; npm run bench:ingest measures it');
}
