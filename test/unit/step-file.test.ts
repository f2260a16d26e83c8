import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStepFilesOfEndedRuns, stepFileFor } from '../../harness/cli/step-file.ts';

/**
 * The setup scripts' step file (scripts/lib/common.sh: step), which `npm run e2e` reads when
 * interrupted to name the step cut short. Whoever sees a step's line and sends Ctrl-C must find
 * that step in the file: so the file is whole before the line is printed.
 */
const ROOT = join(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'zk-chaos-step-file-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('step', () => {
  it('has written its step file whole before its line can be read', async () => {
    const stepFile = join(scratch, 'step');
    // The second step's line goes to a pipe whose reader never reads and whose buffer is already
    // full, so printing it blocks: what the file says meanwhile is what a reader of the line finds.
    const script = [
      `source ${JSON.stringify(join(ROOT, 'scripts/lib/common.sh'))}`,
      'step "creating the cluster"',
      'step_done',
      'exec 2> >(sleep 60)',
      'head -c 1048576 /dev/zero >&2 &',
      'sleep 1',
      'step "loading the image"',
    ].join('\n');
    const bash = spawn('bash', ['-c', script], { env: { ...process.env, ZK_CHAOS_CACHE: join(scratch, 'cache'), ZK_CHAOS_STEP_FILE: stepFile }, stdio: 'ignore', detached: true });
    try {
      const said = (): string => (existsSync(stepFile) ? readFileSync(stepFile, 'utf8') : 'no file');
      for (const deadline = Date.now() + 3_000; said() !== 'loading the image\n' && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
      expect(said()).toBe('loading the image\n');
      // The line is still held: the file was written before it, not after.
      expect(bash.exitCode).toBeNull();
      // Renamed into place: no partial copy is left beside it.
      expect(readdirSync(scratch).sort()).toEqual(['cache', 'step']);
    } finally {
      process.kill(-(bash.pid as number), 'SIGKILL');
    }
  }, 10_000);
});

describe('the step files of npm run e2e', () => {
  it('reads the step last begun, and removes the file with a partial copy', () => {
    const dir = join(scratch, 'read');
    mkdirSync(dir);
    const file = stepFileFor(4242, dir);
    expect(file.read()).toBeUndefined();
    writeFileSync(file.path, '\n');
    expect(file.read()).toBeUndefined();
    writeFileSync(file.path, 'loading the image\n');
    writeFileSync(`${file.path}.part`, 'load');
    expect(file.read()).toBe('loading the image');
    file.remove();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes those of runs that have ended, and only those', () => {
    const dir = join(scratch, 'sweep');
    mkdirSync(dir);
    // a process that has ended: its pid is free (until reused, when its file is left alone)
    const ended = spawnSync('bash', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
    const names = [`zk-chaos-e2e-step-${ended}`, `zk-chaos-e2e-step-${ended}.part`, `zk-chaos-e2e-step-${process.pid}`, 'zk-chaos-e2e-step-notapid', 'another-file'];
    for (const name of names) writeFileSync(join(dir, name), 'a step\n');
    removeStepFilesOfEndedRuns(dir);
    expect(readdirSync(dir).sort()).toEqual(['another-file', `zk-chaos-e2e-step-${process.pid}`, 'zk-chaos-e2e-step-notapid']);
  });
});
