import { join } from 'node:path';

/** The project's shell scripts folder, wherever the harness is run from. */
const SCRIPTS = join(import.meta.dirname, '../../scripts');

/** The path of one of the project's scripts (e.g. 'build-slowfs.sh'), to run with bash. */
export function projectScript(name: string): string {
  return join(SCRIPTS, name);
}
