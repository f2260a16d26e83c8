import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import { readOperationsFile } from '../../harness/history/read-file.ts';
import { HistoryRecorder } from '../../harness/history/recorder.ts';
import { DEFAULT_WORKLOAD, startWorkload } from '../../harness/workload/runner.ts';
import { SeededRandom } from '../../harness/workload/random.ts';
import { DockerEnsemble, type StartedDockerEnsemble } from '../../harness/zookeeper/docker-ensemble.ts';

/**
 * The set keys rotate (harness/workload/generator.ts): against a real ensemble, with a capacity of
 * 20 adds, every key the workload moves to gets its parent znode before its first add (no add
 * fails NO_NODE), no key takes more adds than its capacity, and the final reads read every key.
 */
const scratch = mkdtempSync(join(tmpdir(), 'zk-chaos-rotation-'));
let ensemble: StartedDockerEnsemble | undefined;
afterAll(async () => {
  await ensemble?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('set keys that rotate', () => {
  it('are created before their first add, never overfilled, and all read at the end', async () => {
    ensemble = await new DockerEnsemble(inject('zkImage')).withLabels({ 'io.zk-chaos.test': 'set-key-rotation' }).start();
    const started = ensemble;
    const history = join(scratch, 'history.jsonl');
    const recorder = new HistoryRecorder(history);
    const workload = await startWorkload({
      ...DEFAULT_WORKLOAD,
      recorder,
      rng: new SeededRandom(9),
      endpoints: () => started.endpoints(),
      root: '/zk-chaos/rotation',
      setKeyCapacity: 20,
    });
    await sleep(4000);
    const summary = await workload.stop();
    recorder.close();
    expect(summary.membersRead).toEqual(['zk-0', 'zk-1', 'zk-2']);

    const lines = readFileSync(history, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; f: string; key: string });
    const adds = lines.filter((e) => e.f === 'add' && e.type !== 'invoke');
    expect(adds.filter((e) => e.type !== 'ok'), 'every add succeeds: its key\'s parent existed').toEqual([]);
    const perKey = new Map<string, number>();
    for (const e of adds) perKey.set(e.key, (perKey.get(e.key) ?? 0) + 1);
    const keys = [...perKey.keys()];
    expect(keys.length).toBeGreaterThan(6); // both slots moved on several times
    expect(keys).toEqual(expect.arrayContaining(['set-0', 'set-0.1', 'set-1', 'set-1.1']));
    // Capacity 20 from the workers, plus one marker add per member in the final reads.
    for (const [key, count] of perKey) expect(count, key).toBeLessThanOrEqual(23);
    const ops = await readOperationsFile(history);
    const finalReads = new Set(ops.filter((o) => o.f === 'read-set' && o.outcome === 'ok' && o.final).map((o) => o.key));
    for (const key of keys) expect(finalReads.has(key), `a final read of ${key}`).toBe(true);

    const verdict = check(ops);
    expect(verdict.validity).toBe('valid');
    expect(verdict.stats.setKeys).toBe(finalReads.size);
  });
});
