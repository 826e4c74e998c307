import { ImportError } from './errors.js';

export type ImportStageName = 'receiving' | 'unpacking' | 'scanning' | 'processing' | 'publishing' | 'succeeded' | 'failed';

export interface ImportProgressSnapshot {
  importId: string;
  name: string;
  stage: ImportStageName;
  filesTotal: number;
  filesDone: number;
  imagesKept: number;
  imagesConverted: number;
  filesSkipped: number;
  receivedBytes: number;
  storedBytes: number;
  elapsedSeconds: number;
  /** Error message of a failed import, when `stage` is "failed". */
  error?: string;
  /** The version made or found, when `stage` is "succeeded". */
  dataset?: { name: string; version: number };
}

type Counters = Omit<ImportProgressSnapshot, 'importId' | 'name' | 'elapsedSeconds'>;

// Watchers are woken about this many times per import while files are processed, so an import
// of a million files sends a thousand progress messages, not a million.
const WAKE_STEPS_PER_IMPORT = 1000;
// Finished imports kept for late watchers; the oldest are forgotten first.
const MAX_FINISHED_RUNS = 256;

interface Wake {
  promise: Promise<void>;
  resolve: () => void;
}

// Promise.withResolvers needs Node 22; this service runs on Node 20.
function newWake(): Wake {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

function isFinal(stage: ImportStageName): boolean {
  return stage === 'succeeded' || stage === 'failed';
}

/** Progress of one import, shared by the import and its watchers. */
export class ImportRun {
  private readonly counters: Counters = { stage: 'scanning', filesTotal: 0, filesDone: 0, imagesKept: 0, imagesConverted: 0, filesSkipped: 0, receivedBytes: 0, storedBytes: 0 };
  private readonly startedMs = performance.now();
  private wake = newWake();
  private filesDoneAtLastWake = 0;

  constructor(
    readonly importId: string,
    readonly name: string,
  ) {}

  get finished(): boolean {
    return isFinal(this.counters.stage);
  }

  snapshot(): ImportProgressSnapshot {
    return { importId: this.importId, name: this.name, ...this.counters, elapsedSeconds: (performance.now() - this.startedMs) / 1000 };
  }

  /** Resolves at the next change watchers should see. */
  nextChange(): Promise<void> {
    return this.wake.promise;
  }

  setStage(stage: ImportStageName): void {
    this.counters.stage = stage;
    this.notify();
  }

  setFilesTotal(filesTotal: number): void {
    this.counters.filesTotal = filesTotal;
    this.notify();
  }

  addReceivedBytes(bytes: number): void {
    this.counters.receivedBytes += bytes;
  }

  /** Counts one processed file; watchers are woken every 1/1000 of the files and at the last. */
  fileDone(outcome: 'kept' | 'converted' | 'skipped', storedBytes: number): void {
    const counters = this.counters;
    counters.filesDone += 1;
    if (outcome === 'skipped') {
      counters.filesSkipped += 1;
    } else {
      counters.imagesKept += 1;
      counters.storedBytes += storedBytes;
      if (outcome === 'converted') counters.imagesConverted += 1;
    }
    const step = Math.max(1, Math.ceil(counters.filesTotal / WAKE_STEPS_PER_IMPORT));
    if (counters.filesDone - this.filesDoneAtLastWake >= step || counters.filesDone === counters.filesTotal) {
      this.notify();
    }
  }

  succeed(dataset: { name: string; version: number }): void {
    this.counters.dataset = dataset;
    this.setStage('succeeded');
  }

  fail(error: unknown): void {
    this.counters.error = error instanceof Error ? error.message : String(error);
    this.setStage('failed');
  }

  private notify(): void {
    this.filesDoneAtLastWake = this.counters.filesDone;
    const previous = this.wake;
    this.wake = newWake();
    previous.resolve();
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The imports of this process that have an import_id, for WatchImport. */
export class ImportTracker {
  private readonly runs = new Map<string, ImportRun>();
  private readonly startWaiters = new Map<string, Set<(run: ImportRun) => void>>();

  /** Registers a new import; throws ALREADY_EXISTS while another import with this id runs. */
  begin(importId: string, name: string): ImportRun {
    const existing = this.runs.get(importId);
    if (existing && !existing.finished) {
      throw new ImportError('already-exists', `import_id "${importId}" is already used by a running import of "${existing.name}"`);
    }
    this.forgetOldRuns();
    const run = new ImportRun(importId, name);
    this.runs.delete(importId);
    this.runs.set(importId, run);
    for (const resolve of this.startWaiters.get(importId) ?? []) resolve(run);
    this.startWaiters.delete(importId);
    return run;
  }

  /**
   * Yields the import's progress at once, again at each change, and last when it succeeds or
   * fails. An unknown id is NOT_FOUND unless `waitForStart`, which waits until it begins.
   */
  async *watch(importId: string, waitForStart: boolean, signal: AbortSignal): AsyncIterable<ImportProgressSnapshot> {
    let run = this.runs.get(importId);
    if (!run) {
      if (!waitForStart) {
        throw new ImportError('not-found', `no import with import_id "${importId}" on this replica`);
      }
      run = await untilAborted(this.waitForStart(importId, signal), signal);
    }
    for (;;) {
      const changed = run.nextChange();
      const snapshot = run.snapshot();
      yield snapshot;
      if (isFinal(snapshot.stage)) return;
      await untilAborted(changed, signal);
    }
  }

  private waitForStart(importId: string, signal: AbortSignal): Promise<ImportRun> {
    return new Promise<ImportRun>((resolve) => {
      const waiters = this.startWaiters.get(importId) ?? new Set();
      waiters.add(resolve);
      this.startWaiters.set(importId, waiters);
      signal.addEventListener('abort', () => waiters.delete(resolve), { once: true });
    });
  }

  private forgetOldRuns(): void {
    const finished = [...this.runs.values()].filter((run) => run.finished);
    for (const run of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_RUNS + 1))) {
      this.runs.delete(run.importId);
    }
  }
}
