import { ImportError } from './errors.js';

/** Origin of the label order: a list in the request, a labels file, or the folder names. */
export type LabelSource =
  | { kind: 'list'; labels: string[] }
  | { kind: 'file'; text: string }
  | { kind: 'folders' };

/** Class folders of one root, with the name used for that root in messages. */
export interface RootClasses {
  description: string;
  classNames: string[];
}

export interface LabelLine {
  /** 1-based line number in the labels file. */
  line: number;
  label: string;
}

// More problems than this are summarised as a count, so one message stays readable.
const MAX_PROBLEMS_LISTED = 10;

/**
 * Reads a labels file: one class name per line, label 1 on the first non-blank line. As in
 * TensorFlow's build_image_data.py, each line is stripped of surrounding whitespace, so CRLF
 * line ends and trailing spaces do not matter. Blank lines and a leading byte order mark are
 * ignored. Line numbers count every line, blank ones included.
 */
export function parseLabelsFile(text: string): LabelLine[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const entries: LabelLine[] = [];
  for (const [index, raw] of lines.entries()) {
    const label = raw.trim().normalize('NFC');
    if (label.length > 0) {
      entries.push({ line: index + 1, label });
    }
  }
  return entries;
}

/** Describes class folders of one root that the labels file or list lacks, in one sentence that names at most MAX_PROBLEMS_LISTED of them. */
function unlistedFoldersProblem(classNames: string[], rootDescription: string, listName: string): string {
  const quoted = classNames.slice(0, MAX_PROBLEMS_LISTED).map((className) => `"${className}"`);
  const more = classNames.length - quoted.length;
  let names = quoted.join(', ');
  if (more > 0) names = `${names} and ${more} more`;
  else if (quoted.length > 1) names = `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;

  return classNames.length === 1
    ? `class folder ${names} in ${rootDescription} is not listed in ${listName}; add it to ${listName}`
    : `class folders ${names} in ${rootDescription} are not listed in ${listName}; add them to ${listName}`;
}

function throwProblems(problems: string[]): void {
  if (problems.length === 0) return;
  const listed = problems.slice(0, MAX_PROBLEMS_LISTED);
  const more = problems.length > listed.length ? `; and ${problems.length - listed.length} more` : '';
  throw new ImportError('invalid-argument', `${listed.join('; ')}${more}`);
}

/**
 * Returns the class names in label order: the explicit list or labels file when given, else
 * the sorted class folder names of the training root. Label ids are 1..N in this order; 0 stays
 * the unused background class, as in TensorFlow's build_image_data.py.
 *
 * Throws INVALID_ARGUMENT listing every problem: a class listed twice, a listed class with no
 * training folder, a folder (in either root) that is not listed. Problems name the labels-file
 * line or the list entry.
 */
export function resolveLabels(source: LabelSource, train: RootClasses, validation?: RootClasses): string[] {
  if (source.kind === 'folders') {
    if (train.classNames.length === 0) {
      throw new ImportError('invalid-argument', `${train.description} has no class folders; expected <root>/<class>/<image>`);
    }
    for (const className of validation?.classNames ?? []) {
      if (!train.classNames.includes(className)) {
        throw new ImportError('invalid-argument', `class folder "${className}" in ${validation!.description} has no folder in ${train.description}`);
      }
    }
    return [...train.classNames];
  }

  const where = source.kind === 'file' ? (entry: LabelLine) => `labels file line ${entry.line}` : (entry: LabelLine) => `labels entry ${entry.line}`;
  const entries = source.kind === 'file' ? parseLabelsFile(source.text) : source.labels.map((label, index) => ({ line: index + 1, label: label.trim().normalize('NFC') })).filter((entry) => entry.label.length > 0);
  const listName = source.kind === 'file' ? 'the labels file' : 'the labels list';
  if (entries.length === 0) {
    throw new ImportError('invalid-argument', `${listName} has no class names`);
  }

  const problems: string[] = [];
  const firstLine = new Map<string, number>();
  for (const entry of entries) {
    const earlier = firstLine.get(entry.label);
    if (earlier !== undefined) {
      problems.push(`${where(entry)}: class "${entry.label}" is listed twice (first at ${source.kind === 'file' ? 'line' : 'entry'} ${earlier})`);
      continue;
    }
    firstLine.set(entry.label, entry.line);
    if (!train.classNames.includes(entry.label)) {
      problems.push(`${where(entry)}: class "${entry.label}" has no folder in ${train.description}`);
    }
  }
  // A folder missing from both roots is named once, under the training root.
  const unlisted = new Set<string>();
  for (const root of validation ? [train, validation] : [train]) {
    const missing = root.classNames.filter((className) => !firstLine.has(className) && !unlisted.has(className));
    missing.forEach((className) => unlisted.add(className));
    if (missing.length > 0) problems.push(unlistedFoldersProblem(missing, root.description, listName));
  }
  throwProblems(problems);
  return entries.map((entry) => entry.label);
}
