import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWrite } from '../../harness/run/atomic-write.ts';

describe('atomicWrite', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zk-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the missing folders and leaves only the file', () => {
    const path = join(dir, 'a', 'b', 'report.html');
    atomicWrite(path, 'one');
    atomicWrite(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['report.html']);
  });

  it('throws, and leaves nothing, where no folder can be made', () => {
    writeFileSync(join(dir, 'file'), '');
    expect(() => atomicWrite(join(dir, 'file', 'x', 'report.html'), 'text')).toThrow(/ENOTDIR|EEXIST/);
    expect(readdirSync(dir)).toEqual(['file']);
  });

  // Node's recursive mkdir retries forever under /proc, which refuses every mkdir with ENOENT: in a
  // process of its own, so that a spinning version fails by the timeout instead of hanging the run.
  it('throws for a folder under /proc instead of spinning', () => {
    const script = `import { atomicWrite } from ${JSON.stringify(join(import.meta.dirname, '../../harness/run/atomic-write.ts'))};
      try { atomicWrite('/proc/zk-chaos-none/report.html', 'text'); } catch (error) { console.log(error.message); }`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(child.signal).toBeNull();
    expect(child.stdout).toMatch(/ENOENT.*mkdir '\/proc\/zk-chaos-none'/);
  });
});
