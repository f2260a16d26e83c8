import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processExists } from './process-exists.ts';

/**
 * Where the setup scripts write the step they are in (scripts/lib/common.sh: step), for one
 * `npm run e2e` process: read when the setup is interrupted or fails, to name the step.
 *
 * The file sits in a folder of the run's own, not in the temporary directory itself: the image
 * build reruns under sudo on hosts where the user is not root, and a file root made there could
 * be neither replaced nor removed by the user (the temporary directory's sticky bit); in the
 * user's own folder it can.
 */
export interface StepFile {
  /** what to pass as ZK_CHAOS_STEP_FILE */
  readonly path: string;
  /** an empty folder for it, before the scripts run */
  prepare(): void;
  /** the step last begun, if any */
  read(): string | undefined;
  /** the folder, with the file and any copy a signal left before it was renamed into place */
  remove(): void;
}

const PREFIX = 'zk-chaos-e2e-step-';
const FOLDER_NAME = new RegExp(`^${PREFIX}(\\d+)$`);

export function stepFileFor(pid: number, dir = tmpdir()): StepFile {
  const folder = join(dir, `${PREFIX}${pid}`);
  const path = join(folder, 'step');
  const remove = (): void => removeQuietly(folder);
  return {
    path,
    prepare: () => {
      // one a process of this pid left long ago must not name a step of this run
      remove();
      try {
        mkdirSync(folder, { recursive: true });
      } catch {
        // a temporary directory that takes nothing: the steps go unnamed, the run goes on
      }
    },
    read: () => (existsSync(path) ? readFileSync(path, 'utf8').trim() || undefined : undefined),
    remove,
  };
}

/**
 * A run killed outright (kill -9, an out-of-memory killer) cannot remove its step file: the next
 * run removes those whose process is gone, so the temporary directory does not keep one per
 * killed run. One whose process is alive (another run) is left alone, and so is one this user may
 * not remove: that is never a reason to stop a run.
 */
export function removeStepFilesOfEndedRuns(dir = tmpdir()): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = FOLDER_NAME.exec(name)?.[1];
    if (pid !== undefined && !processExists(Number(pid))) removeQuietly(join(dir, name));
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // another user's, say: it stays, and names no step of this run (the folder is per process)
  }
}
