// Is the process that wrote a temp file still running? (Decides whether prune may remove it.)

/** True when `pid` exists (a process we may not signal, EPERM, exists too). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
