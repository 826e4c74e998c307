import type { NormalizedImage } from '@inception/imaging';

// Console lines of `build_image_data.py`, reproduced so that logs and scripts written for it
// still match. `<ts>` is Python's `str(datetime.now())`.

/**
 * Formats a local time as Python's `str(datetime)`: `YYYY-MM-DD HH:MM:SS.ffffff`, without the
 * fraction when the microseconds are zero.
 */
export function pythonTimestamp(epochMicroseconds: number): string {
  const date = new Date(Math.floor(epochMicroseconds / 1000));
  const microseconds = Math.floor(epochMicroseconds) % 1_000_000;
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return microseconds === 0 ? `${day} ${time}` : `${day} ${time}.${pad(microseconds, 6)}`;
}

/** Returns the current time in microseconds since the epoch, to the resolution of `performance.now()`. */
export function nowMicroseconds(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** Formats thread ranges as Python prints a list of lists: `[[0, 1585], [1585, 3170]]`. */
export function formatSpacings(ranges: readonly (readonly [number, number])[]): string {
  return `[${ranges.map(([start, end]) => `[${start}, ${end}]`).join(', ')}]`;
}

export const savingLine = (output: string): string => `Saving results to ${output}`;

export const determiningLine = (directory: string): string => `Determining list of input files and labels from ${directory}.`;

/** Printed every 100 classes. The original printed the file count where the class count belongs. */
export const findingProgressLine = (classesDone: number, classCount: number): string =>
  `Finished finding files in ${classesDone} of ${classCount} classes.`;

export const foundLine = (fileCount: number, labelCount: number, directory: string): string =>
  `Found ${fileCount} JPEG files across ${labelCount} labels inside ${directory}.`;

export const launchingLine = (numThreads: number, ranges: readonly (readonly [number, number])[]): string =>
  `Launching ${numThreads} threads for spacings: ${formatSpacings(ranges)}`;

export const processedLine = (timestamp: string, thread: number, written: number, filesInThread: number): string =>
  `${timestamp} [thread ${thread}]: Processed ${written} of ${filesInThread} images in thread batch.`;

export const wroteShardLine = (timestamp: string, thread: number, written: number, shardPath: string): string =>
  `${timestamp} [thread ${thread}]: Wrote ${written} images to ${shardPath}`;

/** Printed when a thread ends. The original printed the thread's file count where the shard count belongs. */
export const wroteThreadLine = (timestamp: string, thread: number, written: number, shardCount: number): string =>
  `${timestamp} [thread ${thread}]: Wrote ${written} images to ${shardCount} shards.`;

/** Last line of a split. N counts the images written; the original counted every file found. */
export const finishedLine = (timestamp: string, written: number): string =>
  `${timestamp}: Finished writing all ${written} images in data set.`;

export const skippedLine = (filePath: string, reason: string, detail: string): string => `SKIPPED: invalid image ${filePath}: ${reason}, ${detail}`;

/**
 * Names a kind of conversion with the original's wording where it has one (PNG and CMYK input), and
 * in the same form for the conversions it did not make: "PNG to JPEG", "grayscale to RGB".
 */
export function conversionKind(image: NormalizedImage): string {
  switch (image.conversionReason) {
    case 'not-jpeg':
      return `${image.originalFormat.toUpperCase()} to JPEG`;
    case 'cmyk-jpeg':
      return 'CMYK to RGB';
    case 'grayscale-jpeg':
      return 'grayscale to RGB';
    default:
      return 'JPEG color space to RGB';
  }
}

export const convertingLine = (kind: string, filePath: string): string => `Converting ${kind} for ${filePath}`;
