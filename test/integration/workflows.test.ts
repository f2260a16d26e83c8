import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The nightly workflow runs only on GitHub's runners; actionlint (scripts/lint-workflows.sh, built
 * from the Go module proxy) is what a change to it is held to here: syntax, expressions, matrix and
 * step references. The negative control shows the check reads the file, not just its name.
 */
const ROOT = join(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'zk-chaos-workflows-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const lint = (...files: string[]) => spawnSync('bash', [join(ROOT, 'scripts/lint-workflows.sh'), '-shellcheck=', ...files], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });

describe('the GitHub Actions workflows', () => {
  it('pass actionlint', () => {
    const r = lint();
    expect(r.stdout + r.stderr).not.toMatch(/\.ya?ml:\d+:\d+:/);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('a matrix value the workflow does not define is reported, with its line', () => {
    const broken = join(scratch, 'nightly.yml');
    const text = readFileSync(join(ROOT, '.github/workflows/nightly.yml'), 'utf8');
    expect(text).toContain('ZK: ${{ matrix.zk }}');
    writeFileSync(broken, text.replace('ZK: ${{ matrix.zk }}', 'ZK: ${{ matrix.zookeeper }}'));
    const r = lint(broken);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/nightly\.yml:\d+:\d+: property "zookeeper" is not defined in object type/);
  });
});
