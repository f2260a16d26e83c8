import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes through a temporary file and a rename: the file is never empty or half written, and a
 * write that fails (a full disk) leaves the previous file, or none, and no temporary behind.
 */
export function atomicWrite(path: string, text: string): void {
  makeFolders(dirname(path));
  const temporary = `${path}.${process.pid}.partial`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns for a folder under /proc
 * (procfs answers ENOENT to every mkdir, and Node retries the parent forever); here that mkdir's
 * error is the caller's.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.push(d);
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (error) {
      // Made by someone else meanwhile: as good.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
