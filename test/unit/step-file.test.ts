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
    const folder = join(scratch, 'run');
    mkdirSync(folder);
    const stepFile = join(folder, 'step');
    const after = join(scratch, 'line-printed');
    // The second step's line goes to a pipe whose reader never reads, filled first until a write
    // blocks, so printing the line blocks: what the file says meanwhile is what a reader of the
    // line finds.
    const script = [
      `source ${JSON.stringify(join(ROOT, 'scripts/lib/common.sh'))}`,
      'step "creating the cluster"',
      'step_done',
      'exec 2> >(sleep 120)',
      'while timeout 2 head -c 4096 /dev/zero >&2; do :; done',
      'step "loading the image"',
      `touch ${JSON.stringify(after)}`,
    ].join('\n');
    const bash = spawn('bash', ['-c', script], { env: { ...process.env, ZK_CHAOS_CACHE: join(scratch, 'cache'), ZK_CHAOS_STEP_FILE: stepFile }, stdio: 'ignore', detached: true });
    try {
      const said = (): string => (existsSync(stepFile) ? readFileSync(stepFile, 'utf8') : 'no file');
      for (const deadline = Date.now() + 15_000; said() !== 'loading the image\n' && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
      expect(said()).toBe('loading the image\n');
      // The line is still held: the file was written before it, not after.
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(after)).toBe(false);
      // Renamed into place: no partial copy is left beside it.
      expect(readdirSync(folder)).toEqual(['step']);
    } finally {
      process.kill(-(bash.pid as number), 'SIGKILL');
    }
  }, 30_000);
});

describe('the step files of npm run e2e', () => {
  it('prepares an empty folder of its own, reads the step last begun, and removes the folder', () => {
    const dir = join(scratch, 'read');
    mkdirSync(dir);
    const file = stepFileFor(4242, dir);
    // what a process of the same pid left long ago
    mkdirSync(join(dir, 'zk-chaos-e2e-step-4242'));
    writeFileSync(file.path, 'an old step\n');
    file.prepare();
    expect(readdirSync(join(dir, 'zk-chaos-e2e-step-4242'))).toEqual([]);
    expect(file.read()).toBeUndefined();
    writeFileSync(file.path, '\n');
    expect(file.read()).toBeUndefined();
    writeFileSync(file.path, 'loading the image\n');
    writeFileSync(`${file.path}.part`, 'load');
    expect(file.read()).toBe('loading the image');
    file.remove();
    expect(readdirSync(dir)).toEqual([]);
    file.remove();
  });

  it('removes those of runs that have ended, and only those', () => {
    const dir = join(scratch, 'sweep');
    mkdirSync(dir);
    // a process that has ended: its pid is free (until reused, when its folder is left alone)
    const ended = spawnSync('bash', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
    for (const pid of [ended, String(process.pid)]) {
      mkdirSync(join(dir, `zk-chaos-e2e-step-${pid}`));
      writeFileSync(join(dir, `zk-chaos-e2e-step-${pid}`, 'step'), 'a step\n');
    }
    // and a file an earlier version left in the temporary directory itself
    const endedToo = spawnSync('bash', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
    for (const name of [`zk-chaos-e2e-step-${endedToo}`, 'zk-chaos-e2e-step-notapid', 'another-file']) writeFileSync(join(dir, name), 'a step\n');
    removeStepFilesOfEndedRuns(dir);
    expect(readdirSync(dir).sort()).toEqual(['another-file', `zk-chaos-e2e-step-${process.pid}`, 'zk-chaos-e2e-step-notapid']);
    // a temporary directory that cannot be listed stops nothing
    expect(() => removeStepFilesOfEndedRuns(join(dir, 'missing'))).not.toThrow();
  });
});
