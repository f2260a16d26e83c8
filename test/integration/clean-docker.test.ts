import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';

/**
 * scripts/clean-docker.sh removes what zk-chaos left behind, but not the containers of a
 * `zk-chaos run` or `hunt` still running (label io.zk-chaos.command=PID-START): the integration
 * tests' clean-up next to a hunt must not end the hunt. Real containers (created, not started).
 */
const ROOT = join(import.meta.dirname, '../..');
// A live process that is a zk-chaos command as far as the script can tell (its command line names it).
const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300_000)', 'zk-chaos-clean-test'], { stdio: 'ignore' });
const created: string[] = [];
afterAll(() => {
  owner.kill();
  if (created.length) spawnSync('docker', ['rm', '-f', ...created]);
});

function create(command: string): string {
  const r = spawnSync('docker', ['create', '--label', 'io.zk-chaos.owned=true', '--label', `io.zk-chaos.command=${command}`, inject('zkImage')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker create failed: ${r.stderr}`);
  const id = r.stdout.trim();
  created.push(id);
  return id;
}

const exists = (id: string): boolean => spawnSync('docker', ['inspect', id]).status === 0;
const clean = (...args: string[]) => spawnSync('bash', [join(ROOT, 'scripts/clean-docker.sh'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('scripts/clean-docker.sh', () => {
  it('leaves a running command\'s containers, removes those whose command is gone, and --all removes every one', () => {
    const running = create(`${owner.pid}-${Date.now()}`);
    // A process number no process has (beyond the kernel's pid_max).
    const gone = create(`${2 ** 22 + 1}-${Date.now()}`);
    const first = clean();
    expect(first.status, first.stderr).toBe(0);
    expect(exists(running)).toBe(true);
    expect(exists(gone)).toBe(false);
    expect(first.stderr).toContain('[clean] left 1 container(s) of a zk-chaos run or hunt still running (--all removes them too)');
    const all = clean('--all');
    expect(all.status, all.stderr).toBe(0);
    expect(exists(running)).toBe(false);
  });
});
