/** One file found in a class folder, read only when the import reaches it. */
export interface SourceFile {
  /** Class folder name, in Unicode NFC. */
  className: string;
  /** `<class>/<file name>`, relative to the root that contains the class folders, in NFC. */
  relativePath: string;
  sizeBytes: number;
  read(): Promise<Uint8Array>;
}

/** Reason a file in a class folder is left out before it is read. */
export type ScanSkipReason = 'hidden-file' | 'nested-folder' | 'not-a-file';

export interface ScanSkip {
  className: string;
  relativePath: string;
  reason: ScanSkipReason;
  detail: string;
}

/** Contents of a root of class folders (`<root>/<class>/<file>`). */
export interface ClassFolderScan {
  /** Class folder names in code point order; hidden folders are left out. */
  classNames: string[];
  /** Candidate image files, by class, each class in code point order of the file names. */
  files: SourceFile[];
  skipped: ScanSkip[];
}

/** A root of class folders that an import reads, wherever it lives. */
export interface ClassFolderRoot {
  /** The source as the user named it, for messages and the manifest, e.g. "s3://photos/flowers/". */
  description: string;
  scan(): Promise<ClassFolderScan>;
}

// Finder, Explorer and NAS indexers leave these beside real files; macOS zips add __MACOSX/.
const HIDDEN_NAMES = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', '__MACOSX', '@eaDir']);

/** True for dot files (including macOS "._" companions) and known system files and folders. */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.') || HIDDEN_NAMES.has(name);
}

/** Orders strings by Unicode code point, as Python's sorted() does, not by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
