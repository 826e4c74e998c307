/**
 * Returns true when a process with this id runs on this host. EPERM means that the process
 * exists but belongs to another user. A service uses it to tell what a dead process left behind
 * from the work of one still running.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
