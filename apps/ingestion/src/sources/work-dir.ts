import { mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { isProcessRunning } from '@inception/rpc';

// Temporary folders are named inception-ingestion-<pid>-<purpose>-<random>, so a restarted
// service can tell the folders of a process that died from those of one still running.
const WORK_DIR_PATTERN = /^inception-ingestion-(\d+)-/;

/** Creates a temporary folder for this process under `workDir`, e.g. for an unpacked archive. */
export function makeWorkDir(workDir: string, purpose: 'unpack' | 'download' | 'upload'): Promise<string> {
  return mkdtemp(path.join(workDir, `inception-ingestion-${process.pid}-${purpose}-`));
}

/**
 * Deletes the temporary folders that processes no longer running left in `workDir`, such as
 * the unpacked archive of an import that was killed. Returns the folders deleted.
 * NOTE: a reused process id keeps a dead process's folders until that id is free again.
 */
export async function removeStaleWorkDirs(workDir: string): Promise<string[]> {
  const entries = await readdir(workDir, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const entry of entries) {
    const pid = Number(WORK_DIR_PATTERN.exec(entry.name)?.[1]);
    if (!entry.isDirectory() || !Number.isInteger(pid) || pid === process.pid || isProcessRunning(pid)) continue;
    await rm(path.join(workDir, entry.name), { recursive: true, force: true });
    removed.push(entry.name);
  }
  return removed;
}
