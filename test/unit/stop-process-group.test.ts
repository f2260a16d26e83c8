import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { processExists } from '../../harness/cli/process-exists.ts';
import { stopProcessGroup } from '../../harness/cli/stop-process-group.ts';

/**
 * How `npm run e2e` stops its step at a second Ctrl-C. The image builds run as root under sudo,
 * which the user cannot signal; sudo passes its signals on to the command but dies of SIGKILL
 * alone. Here a relay plays sudo, with real processes: its command runs in a session of its own
 * (out of reach of a signal to the group, as a root process is out of a user's reach), and the
 * relay ends it on SIGTERM or SIGINT, as sudo does.
 */
const scratch = mkdtempSync(join(tmpdir(), 'zk-chaos-stop-group-'));
/** Pids (negative: groups) a test started, killed afterwards whatever the test did. */
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A process group led by a relay whose command runs outside the group; returns both pids. */
async function relayGroup(name: string, relayIgnoresTerm = false): Promise<{ group: number; command: number }> {
  const pidFile = join(scratch, `${name}.pid`);
  // The trap first: the test signals once the pid file is there, which must find it set. As sudo
  // does, the relay waits for its command to end before it ends.
  const script = [
    relayIgnoresTerm ? "trap '' TERM INT" : `trap 'kill "$(cat ${JSON.stringify(pidFile)})"; wait; exit 0' TERM INT`,
    `setsid sleep 300 & echo $! > ${JSON.stringify(pidFile)}.tmp && mv ${JSON.stringify(pidFile)}.tmp ${JSON.stringify(pidFile)}`,
    'while :; do sleep 0.05; done',
  ].join('\n');
  const relay = spawn('bash', ['-c', script], { detached: true, stdio: 'ignore' });
  const group = relay.pid as number;
  started.push(-group);
  for (let i = 0; i < 200 && !existsSync(pidFile); i++) await sleep(25);
  const command = Number(readFileSync(pidFile, 'utf8'));
  started.push(command);
  return { group, command };
}

async function ended(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && running(pid); i++) await sleep(20);
  return !running(pid);
}

/**
 * Whether pid still runs: a zombie has ended (an orphan's new parent, the machine's init, may reap
 * it seconds later).
 */
function running(pid: number): boolean {
  if (!processExists(pid)) return false;
  try {
    // The state follows the command's name in parentheses: "pid (name) S ...".
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.startsWith('Z');
  } catch {
    return false; // gone since
  }
}

describe('stopProcessGroup', () => {
  it('is needed: SIGKILL to the group ends the relay but leaves its command running', async () => {
    const { group, command } = await relayGroup('kill');
    process.kill(-group, 'SIGKILL');
    expect(await ended(group)).toBe(true);
    expect(processExists(command)).toBe(true);
  });

  it('ends a command the group reaches only through a relay', async () => {
    const { group, command } = await relayGroup('relay');
    await stopProcessGroup(group);
    expect(await ended(command)).toBe(true);
    expect(processExists(-group)).toBe(false);
  });

  it('ends with SIGKILL a group that ignores SIGTERM, once the grace has passed', async () => {
    const { group } = await relayGroup('deaf', true);
    const t0 = performance.now();
    await stopProcessGroup(group, 300);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(await ended(-group)).toBe(true);
  });

  it('returns at once for a group that has already ended', async () => {
    const child = spawn('true', { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    const t0 = performance.now();
    await stopProcessGroup(child.pid as number, 5000);
    expect(performance.now() - t0).toBeLessThan(4000);
  });
});

describe('with_progress (scripts/lib/common.sh)', () => {
  // A command that starts a child of its own (as debootstrap starts dpkg, go build its compilers)
  // and writes both pids, then waits.
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`ends the command it runs in the background, and the command's children, when its script gets ${signal}, as sudo passes it on`, async () => {
      const pidFile = join(scratch, `progress-${signal}.pid`);
      const command = `sleep 300 & echo "$$ $!" > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}; wait`;
      const script = [
        `source ${JSON.stringify(join(import.meta.dirname, '../../scripts/lib/common.sh'))}`,
        // In single quotes: $$ and $! are the command's own, not the script's.
        `with_progress ${JSON.stringify(join(scratch, `progress-${signal}.log`))} bash -c '${command}'`,
      ].join('\n');
      const shell = spawn('bash', ['-c', script], { detached: true, stdio: 'ignore' });
      started.push(-(shell.pid as number));
      const exited = new Promise<number | null>((resolve) => shell.on('exit', (exitCode) => resolve(exitCode)));
      for (let i = 0; i < 200 && !existsSync(pidFile); i++) await sleep(25);
      const [job, child] = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number) as [number, number];
      started.push(job, child);
      // To the script alone, not its group: sudo relays a signal to the one process it runs. (A
      // script's background job ignores SIGINT: passing SIGINT on would leave the command running.)
      process.kill(shell.pid as number, signal);
      expect(await exited).toBe(code);
      expect(await ended(job)).toBe(true);
      expect(await ended(child)).toBe(true);
    });
  }
});
