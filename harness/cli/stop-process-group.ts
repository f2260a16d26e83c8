import { setTimeout as sleep } from 'node:timers/promises';
import { processExists } from './process-exists.ts';

/** How long the members of a group get to end after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 2000;

/**
 * Stops the process group `pgid` now: SIGTERM, then, for whatever is left once `graceMs` has
 * passed, SIGKILL. Not SIGKILL alone because of sudo: the image builds run as root through it, a
 * user cannot signal a root process, and sudo passes on the signals it gets to its command, but a
 * SIGKILL ends sudo alone and leaves the command (a debootstrap, say) running as root. Resolves
 * once the group is gone or has been sent SIGKILL.
 */
export async function stopProcessGroup(pgid: number, graceMs = STOP_GRACE_MS): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline && processExists(-pgid)) await sleep(50);
  signalGroup(pgid, 'SIGKILL');
}

/** Sends `signal` to the group; false if no member is left. */
function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    // EPERM: only members of another user's are left (root's, under sudo); they may still end.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
