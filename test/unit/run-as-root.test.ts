import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The image builds need root (debootstrap, chroot): scripts/lib/common.sh reruns them under
 * password-less sudo for a user (rerun_as_root), and gives root the sbin folders that the user's
 * PATH, carried through sudo, lacks on Debian. The sudo here is a stand-in that records what it
 * was asked to run: what is under test is what the scripts hand it.
 */
const USER_PATH = '/usr/local/bin:/usr/bin:/bin';
const isRoot = process.getuid?.() === 0;
const scratch = mkdtempSync(join(tmpdir(), 'zk-chaos-run-as-root-'));
chmodSync(scratch, 0o777); // the user the script runs as (nobody, when the tests run as root) writes here
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// A copy that user can read wherever the checkout lies (a root-only folder, say); the functions
// under test do not use the file's location.
const COMMON = join(scratch, 'common.sh');
copyFileSync(join(import.meta.dirname, '../../scripts/lib/common.sh'), COMMON);
chmodSync(COMMON, 0o644);
/** A script's first lines, as every caller has them. */
const prelude = `set -euo pipefail; source ${JSON.stringify(COMMON)}; LOG_PREFIX=zk-image`;

/** Runs SCRIPT in bash as a user who is not root (nobody, when the tests run as root). */
function runAsUser(script: string, env: Record<string, string>): { status: number | null; stderr: string } {
  const command = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'bash', '-c', script] : ['bash', '-c', script];
  const result = spawnSync(command[0] as string, command.slice(1), { env, encoding: 'utf8', cwd: scratch });
  return { status: result.status, stderr: result.stderr };
}

/** A stand-in sudo in its own folder: `sudo -n true` answers ALLOWED; anything else is recorded. */
function standInSudo(name: string, allowed: boolean): { bin: string; record: string } {
  const bin = join(scratch, name);
  const record = join(bin, 'asked');
  mkdirSync(bin, { mode: 0o777 });
  chmodSync(bin, 0o777);
  writeFileSync(
    join(bin, 'sudo'),
    ['#!/bin/bash', `[ "$*" = "-n true" ] && exit ${allowed ? 0 : 1}`, `printf '%s\\0' "$@" > ${JSON.stringify(record)}`].join('\n'),
    { mode: 0o755 },
  );
  chmodSync(join(bin, 'sudo'), 0o755);
  return { bin, record };
}

describe('root for the image builds', () => {
  it("gives root the sbin folders a user's PATH lacks, and leaves a user's PATH alone", () => {
    const result = spawnSync('bash', ['-c', `${prelude}; printf '%s' "$PATH"`], {
      env: { PATH: USER_PATH, HOME: scratch, ZK_CHAOS_CACHE: join(scratch, 'cache-path') },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    if (isRoot) {
      expect(result.stdout.split(':')).toEqual([...USER_PATH.split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin']);
    } else {
      expect(result.stdout).toBe(USER_PATH);
    }
  });

  it("reruns a script under sudo with the user's PATH, cache, Go and zk-chaos settings and the ones named", () => {
    const sudo = standInSudo('sudo-allowed', true);
    const cache = join(scratch, 'cache-sudo');
    const script = [
      prelude,
      'rerun_as_root "building the thing" "run it as root" ZK_CHAOS_ZK_IMAGE=named:1 GOMODCACHE=/modules -- /some/script.sh --prefetch "two words"',
      'echo "not reached" >&2',
    ].join('\n');
    const path = `${sudo.bin}:${USER_PATH}`;
    const result = runAsUser(script, {
      PATH: path,
      HOME: scratch,
      ZK_CHAOS_CACHE: cache,
      ZK_CHAOS_ZK_IMAGE: 'from-the-environment:1',
      ZK_CHAOS_STEP_FILE: '/tmp/zk-chaos-e2e-step-1/step',
      ZK_CHAOS_ODD: 'two words,\na new line and * ? [a]',
      GOFLAGS: '-mod=mod',
      https_proxy: 'http://proxy.example:3128',
      UNRELATED: 'left behind',
      GOOGLE_APPLICATION_CREDENTIALS: '/secret.json',
    });
    expect(result.stderr).toContain('building the thing needs root: continuing under sudo');
    expect(result.stderr).not.toContain('not reached');
    expect(result.status).toBe(0);
    const asked = readFileSync(sudo.record, 'utf8').split('\0').slice(0, -1);
    expect(asked.slice(0, 2)).toEqual(['-n', 'env']);
    expect(asked.slice(-4)).toEqual(['bash', '/some/script.sh', '--prefetch', 'two words']);
    const settings = asked.slice(2, -4);
    expect(settings.at(-1)).toBe(`PATH=${path}`);
    // env applies them in order: the named ones come after the environment's, and win
    expect(settings.lastIndexOf('ZK_CHAOS_ZK_IMAGE=named:1')).toBeGreaterThan(settings.indexOf('ZK_CHAOS_ZK_IMAGE=from-the-environment:1'));
    expect(settings).toEqual(
      expect.arrayContaining([
        `ZK_CHAOS_CACHE=${cache}`,
        'ZK_CHAOS_STEP_FILE=/tmp/zk-chaos-e2e-step-1/step',
        'ZK_CHAOS_ODD=two words,\na new line and * ? [a]',
        'GOFLAGS=-mod=mod',
        'GOMODCACHE=/modules',
        'https_proxy=http://proxy.example:3128',
      ]),
    );
    // only what a build reads: values on sudo's command line are visible to ps
    expect(settings.filter((s) => /^(UNRELATED|HOME|GOOGLE_APPLICATION_CREDENTIALS)=/.test(s))).toEqual([]);
  });

  it('fails naming what needs root and the fix when sudo asks for a password', () => {
    const sudo = standInSudo('sudo-refused', false);
    const script = `${prelude}; rerun_as_root "building the thing" "run it once as root" -- /some/script.sh; echo "not reached" >&2`;
    const result = runAsUser(script, { PATH: `${sudo.bin}:${USER_PATH}`, HOME: scratch, ZK_CHAOS_CACHE: join(scratch, 'cache-refused') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[zk-image] FAILED: building the thing needs root');
    expect(result.stderr).toContain('[zk-image] fix: run it once as root');
    expect(result.stderr).not.toContain('not reached');
  });

  it('refuses a call without -- and the script to rerun, rather than running bash as root', () => {
    const sudo = standInSudo('sudo-unasked', true);
    const script = `${prelude}; rerun_as_root "building the thing" "run it as root" ZK_CHAOS_X=1; echo "not reached" >&2`;
    const result = runAsUser(script, { PATH: `${sudo.bin}:${USER_PATH}`, HOME: scratch, ZK_CHAOS_CACHE: join(scratch, 'cache-unasked') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('FAILED: rerun_as_root needs -- and the script to rerun');
    expect(existsSync(sudo.record)).toBe(false);
  });

  // Only root can be root: elsewhere this is reported skipped (CI here runs as root).
  it.runIf(isRoot)('goes on at once as root, asking sudo nothing', () => {
    const sudo = standInSudo('sudo-root', true);
    const script = `${prelude}; rerun_as_root "building the thing" "run it as root" -- /some/script.sh; echo "went on as $(id -u)"`;
    const result = spawnSync('bash', ['-c', script], { env: { PATH: `${sudo.bin}:${USER_PATH}`, HOME: scratch, ZK_CHAOS_CACHE: join(scratch, 'cache-root') }, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('went on as 0\n');
    expect(existsSync(sudo.record)).toBe(false);
  });
});
