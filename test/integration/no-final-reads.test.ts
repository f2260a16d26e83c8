import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runTest, ScenarioError } from '../../harness/run/test-run.ts';
import { DockerEnsemble, type StartedDockerEnsemble } from '../../harness/zookeeper/docker-ensemble.ts';

/**
 * A run whose members are all gone when the final reads are due (every member stopped and left
 * down) cannot look for lost writes. What was recorded is still checked and reported, the verdict
 * is never valid and names why, and the run ends as an error: nothing recorded is lost.
 */
const results = mkdtempSync(join(tmpdir(), 'zk-chaos-no-final-reads-'));
let ensemble: StartedDockerEnsemble | undefined;
afterAll(async () => {
  await ensemble?.stop();
  rmSync(results, { recursive: true, force: true });
});

describe('a run no member can answer the final reads of', () => {
  it('keeps its history, gets a verdict that is not valid and a report, and ends as an error', async () => {
    ensemble = await new DockerEnsemble(inject('zkImage')).withLabels({ 'io.zk-chaos.test': 'no-final-reads' }).start();
    const e = ensemble;
    const run = runTest({
      name: 'no-final-reads',
      resultsDir: results,
      quietMs: 2000,
      finalReadWaitMs: 2000,
      endpoints: () => e.endpoints(),
      during: async () => {
        for (const member of e.members) await e.stopMember(member);
      },
    });
    const error = await run.then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toMatch(/^no-final-reads: no member of the ensemble answered the final reads \(verdict of what was recorded: unknown; report .*report\.html\)$/);
    const [dir] = readdirSync(results).map((d) => join(results, d));
    const verdict = JSON.parse(readFileSync(join(dir!, 'verdict.json'), 'utf8'));
    expect(verdict.validity).toBe('unknown');
    expect(verdict.unknownKeys[0]).toEqual({ key: '', reason: 'no member of the ensemble answered the final reads: no acknowledged write could be checked for loss' });
    expect(verdict.stats.operations).toBeGreaterThan(20);
    expect(existsSync(join(dir!, 'report.html'))).toBe(true);
  }, 180_000);
});
