import { readFile } from 'node:fs/promises';

import { BuildImageDataError } from './errors.js';

/** One class of the labels file. */
export interface LabelEntry {
  /** Class name: the trimmed line, also the name of the class folder and `image/class/text`. */
  text: string;
  /** 1 for the first class, N for the last; 0 is left for the background class. */
  label: number;
  /** One-based line number in the labels file, for messages. */
  lineNumber: number;
}

/**
 * Reads a labels file as `build_image_data.py` does: one class per line, each line trimmed of
 * surrounding white space, labels 1..N in file order. Unlike the original, blank lines are
 * skipped (they take no label), a UTF-8 byte order mark is dropped, and a file with no class
 * or with a class twice is rejected naming the lines.
 */
export async function readLabelsFile(labelsFile: string): Promise<LabelEntry[]> {
  let content: string;
  try {
    content = await readFile(labelsFile, 'utf8');
  } catch (error) {
    throw new BuildImageDataError(`cannot read labels file ${labelsFile}: ${(error as Error).message}`);
  }
  return parseLabels(content, labelsFile);
}

/** Parses the content of a labels file named `labelsFile` in messages. */
export function parseLabels(content: string, labelsFile: string): LabelEntry[] {
  const entries: LabelEntry[] = [];
  const lineOfText = new Map<string, number>();

  content
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .forEach((rawLine, i) => {
      const text = rawLine.trim();
      if (text === '') {
        return;
      }
      const lineNumber = i + 1;
      const earlierLine = lineOfText.get(text);
      if (earlierLine !== undefined) {
        throw new BuildImageDataError(
          `labels file ${labelsFile} line ${lineNumber}: class "${text}" repeats line ${earlierLine}. List each class once`,
        );
      }
      if (text.includes('/') || text === '.' || text === '..') {
        throw new BuildImageDataError(
          `labels file ${labelsFile} line ${lineNumber}: class "${text}" is not a folder name. Use the bare name of a class folder`,
        );
      }
      lineOfText.set(text, lineNumber);
      entries.push({ text, label: entries.length + 1, lineNumber });
    });

  if (entries.length === 0) {
    throw new BuildImageDataError(`labels file ${labelsFile} lists no class. Write one class folder name per line`);
  }
  return entries;
}
