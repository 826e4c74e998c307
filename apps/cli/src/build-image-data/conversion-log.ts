import type { NormalizedImage } from '@inception/imaging';

import { conversionKind, convertingLine } from './console-lines.js';

/** "Converting …" lines printed per kind of conversion and split; further files of that kind are only counted. */
export const CONVERTING_LINES_PER_KIND = 5;

/**
 * Prints the original's "Converting … for <file>" line for the first files of each kind of
 * conversion, then counts the rest, so a split of 800 grayscale JPEGs prints 6 lines and a count
 * instead of 800 lines. Create one per split.
 */
export class ConversionLog {
  private readonly counts = new Map<string, number>();

  constructor(private readonly print: (line: string) => void) {}

  record(image: NormalizedImage, filePath: string): void {
    const kind = conversionKind(image);
    const count = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, count);

    if (count <= CONVERTING_LINES_PER_KIND) {
      this.print(convertingLine(kind, filePath));
    } else if (count === CONVERTING_LINES_PER_KIND + 1) {
      this.print(`Converting ${kind} for more files: these are counted at the end of the split, not listed`);
    }
  }

  /** Returns one line per kind with files that were not listed, with the kind's total, in order of first use. */
  summaryLines(): string[] {
    return [...this.counts]
      .filter(([, count]) => count > CONVERTING_LINES_PER_KIND)
      .map(([kind, count]) => `Converted ${kind}: ${count} images in total, ${count - CONVERTING_LINES_PER_KIND} of them not listed above`);
  }
}
