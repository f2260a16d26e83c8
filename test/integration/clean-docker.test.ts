import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';

/**
 * scripts/clean-docker.sh removes what zk-chaos left behind, but not the containers and network of
 * a `zk-chaos run` or `hunt` still running (label io.zk-chaos.command=PID-START): the integration
 * tests' clean-up next to a hunt must not end the hunt. Real containers (created, not started).
 * (--all is not tried here: it would also remove a real hunt running beside the tests.)
 */
const ROOT = join(import.meta.dirname, '../..');
// A live process standing for a running command.
const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300_000)'], { stdio: 'ignore' });
const containers: string[] = [];
const networks: string[] = [];
afterAll(() => {
  owner.kill();
  if (containers.length) spawnSync('docker', ['rm', '-f', ...containers]);
  for (const n of networks) spawnSync('docker', ['network', 'rm', n]);
});

const labels = (command: string): string[] => ['--label', 'io.zk-chaos.owned=true', '--label', `io.zk-chaos.command=${command}`];

function create(kind: 'container' | 'network', command: string): string {
  const args = kind === 'container' ? ['create', ...labels(command), inject('zkImage')] : ['network', 'create', ...labels(command), `zk-chaos-clean-test-${networks.length}-${process.pid}`];
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr}`);
  const id = r.stdout.trim();
  (kind === 'container' ? containers : networks).push(id);
  return id;
}

const exists = (kind: 'container' | 'network', id: string): boolean => spawnSync('docker', [kind, 'inspect', id]).status === 0;

describe('scripts/clean-docker.sh', () => {
  it('leaves a running command\'s container and network, and removes those whose command is gone or whose process number was reused', () => {
    const now = Date.now();
    const running = create('container', `${owner.pid}-${now}`);
    const runningNetwork = create('network', `${owner.pid}-${now}`);
    // A process number no process has (beyond the kernel's largest).
    const gone = create('container', `${2 ** 22 + 1}-${now}`);
    const goneNetwork = create('network', `${2 ** 22 + 1}-${now}`);
    // The live process began after this command's start: the number was reused, the command is gone.
    const reused = create('container', `${owner.pid}-1000`);
    const r = spawnSync('bash', [join(ROOT, 'scripts/clean-docker.sh')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(exists('container', running)).toBe(true);
    expect(exists('network', runningNetwork)).toBe(true);
    expect(exists('container', gone)).toBe(false);
    expect(exists('network', goneNetwork)).toBe(false);
    expect(exists('container', reused)).toBe(false);
    expect(r.stderr).toMatch(/\[clean\] left \d+ container\(s\) of a zk-chaos run or hunt still running \(--all removes them too\)/);
  });
});
