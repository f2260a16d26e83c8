/**
 * Whether a process of this pid exists. Only "no such process" (ESRCH) means gone: EPERM is a
 * process of another user's, and anything else is taken as there, so that nothing acts on a
 * process it could not rule out.
 */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
