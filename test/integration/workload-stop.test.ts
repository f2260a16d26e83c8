import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { check } from '../../harness/checker/index.ts';
import { readOperationsFile } from '../../harness/history/read-file.ts';
import { HistoryRecorder } from '../../harness/history/recorder.ts';
import { DEFAULT_WORKLOAD, startWorkload } from '../../harness/workload/runner.ts';
import { SeededRandom } from '../../harness/workload/random.ts';
import { DockerEnsemble, type StartedDockerEnsemble } from '../../harness/zookeeper/docker-ensemble.ts';
import { notYet, ready, waitFor } from '../../harness/kube/wait.ts';

/**
 * Stopping the workload while every member is gone (the engine under them went away, a fault took
 * them all): the workers that are reconnecting give up at once instead of trying the dead members
 * round after round, so the run that stops them is not held up. The members here answer nothing
 * at all — a server that accepts connections and never replies, so each attempt would last the
 * whole connect timeout — and the test counts the attempts made after the stop. Stopped without
 * final reads, its history marks every read not final, and its verdict is unknown.
 */
const scratch = mkdtempSync(join(tmpdir(), 'zk-chaos-stop-'));
let ensemble: StartedDockerEnsemble | undefined;
let silent: Server | undefined;
afterAll(async () => {
  await ensemble?.stop();
  silent?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the workload stopping with every member gone', () => {
  it('gives up reconnecting at once and leaves no connection open', async () => {
    ensemble = await new DockerEnsemble(inject('zkImage')).withLabels({ 'io.zk-chaos.test': 'workload-stop' }).start();
    const members = ensemble.endpoints();
    const open = new Set<Socket>();
    let attempts = 0;
    silent = createServer((socket) => {
      attempts++;
      open.add(socket);
      socket.resume(); // read (and drop) what the client sends, so its hang-up is seen
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    let gone = false;

    const recorder = new HistoryRecorder(join(scratch, 'history.jsonl'));
    const workload = await startWorkload({
      ...DEFAULT_WORKLOAD,
      recorder,
      rng: new SeededRandom(3),
      endpoints: () => (gone ? members.map((m) => ({ name: m.name, address: `127.0.0.1:${port}` })) : members),
      root: '/zk-chaos/stop',
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    gone = true;
    await ensemble.stop();
    ensemble = undefined;
    // Every worker lost its member and is trying the silent ones.
    await waitFor('the workers to reconnect to the silent members', async () => (open.size >= DEFAULT_WORKLOAD.workers ? ready(true) : notYet(`${open.size} connecting`)), { timeoutMs: 30_000, intervalMs: 100 });

    const attemptsAtStop = attempts;
    const summary = await workload.stop({ finalReads: false });
    recorder.close();
    // Longer than a connect attempt would have lasted.
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_WORKLOAD.connectTimeoutMs + 1000));
    // At most the attempts already under way (one per worker), which the server may see accepted
    // just after the stop; trying the members again would make several per worker.
    expect(attempts - attemptsAtStop, 'connection attempts after the stop').toBeLessThanOrEqual(DEFAULT_WORKLOAD.workers);
    expect(open.size, 'connections left open after the stop').toBe(0);
    expect(summary.byOutcome.ok).toBeGreaterThan(0);

    // Stopped before its final reads: every read it made says it is not one, so the checker takes
    // none of them (ordinary reads, maybe through a lagging follower) as final, and nothing as lost.
    const lines = readFileSync(join(scratch, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; f: string; final?: boolean });
    const readInvokes = lines.filter((e) => e.type === 'invoke' && (e.f === 'read' || e.f === 'read-set'));
    expect(readInvokes.filter((e) => e.f === 'read-set').length, 'read-sets recorded').toBeGreaterThan(0);
    expect(readInvokes.filter((e) => e.final !== false)).toEqual([]);
    const verdict = check(await readOperationsFile(join(scratch, 'history.jsonl')));
    expect(verdict.validity).toBe('unknown');
    expect(verdict.unknownKeys.map((u) => u.reason).join('\n')).toContain('marked not final ("final": false) and none final');
  }, 120_000);
});
