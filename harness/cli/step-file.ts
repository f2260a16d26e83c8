import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the setup scripts write the step they are in (scripts/lib/common.sh: step), for one
 * `npm run e2e` process: read when the setup is interrupted or fails, to name the step.
 */
export interface StepFile {
  /** what to pass as ZK_CHAOS_STEP_FILE */
  readonly path: string;
  /** the step last begun, if any */
  read(): string | undefined;
  /** the file, and the copy a step writes before renaming it into place if a signal cut it short */
  remove(): void;
}

const PREFIX = 'zk-chaos-e2e-step-';

export function stepFileFor(pid: number, dir = tmpdir()): StepFile {
  const path = join(dir, `${PREFIX}${pid}`);
  return {
    path,
    read: () => (existsSync(path) ? readFileSync(path, 'utf8').trim() || undefined : undefined),
    remove: () => [path, `${path}.part`].forEach((file) => rmSync(file, { force: true })),
  };
}

/**
 * A run killed outright (kill -9, an out-of-memory killer) cannot remove its step file: the next
 * run removes those whose process is gone, so the temporary directory does not keep one per
 * killed run. A file whose process is alive (another run) is left alone.
 */
export function removeStepFilesOfEndedRuns(dir = tmpdir()): void {
  for (const name of readdirSync(dir)) {
    const pid = new RegExp(`^${PREFIX}(\\d+)(\\.part)?$`).exec(name)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) rmSync(join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, run by someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
