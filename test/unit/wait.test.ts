import { describe, expect, it } from 'vitest';
import { notYet, pause, ready, waitFor, WaitTimeout, withinStep } from '../../harness/kube/wait.ts';

/** A probe that never answers ready, counting its calls. */
function neverReady(): { probe: () => Promise<ReturnType<typeof notYet>>; calls: () => number } {
  let calls = 0;
  return {
    probe: async () => {
      calls++;
      return notYet(`call ${calls}`);
    },
    calls: () => calls,
  };
}

describe('waits inside a step the run abandons', () => {
  it('end a waitFor at once, however deep, with the abort reason, and stop polling', async () => {
    const abandon = new AbortController();
    const { probe, calls } = neverReady();
    // Deep: the wait starts in a timer callback of a promise chain the step began.
    const step = withinStep(abandon.signal, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return waitFor('a member that never comes back', probe, { timeoutMs: 60_000, intervalMs: 20 });
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    abandon.abort(new Error('the harness failed: engine gone'));
    await expect(step).rejects.toThrow('the harness failed: engine gone');
    expect(Date.now() - started).toBeLessThan(1000);
    const seen = calls();
    expect(seen).toBeGreaterThan(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls()).toBe(seen);
  });

  it('end a pause at once, and a waitFor started after the abort before its first probe', async () => {
    const abandon = new AbortController();
    const paused = withinStep(abandon.signal, () => pause(60_000));
    abandon.abort(new Error('abandoned'));
    await expect(paused).rejects.toThrow('abandoned');
    const { probe, calls } = neverReady();
    await expect(withinStep(abandon.signal, () => waitFor('anything', probe, { timeoutMs: 60_000 }))).rejects.toThrow('abandoned');
    expect(calls()).toBe(0);
  });

  it('leave waits outside the step alone: they answer or time out as before', async () => {
    const { probe } = neverReady();
    await expect(waitFor('outside', probe, { timeoutMs: 60, intervalMs: 10 })).rejects.toBeInstanceOf(WaitTimeout);
    await expect(waitFor('outside', async () => ready(7), { timeoutMs: 60 })).resolves.toBe(7);
    await expect(pause(5)).resolves.toBeUndefined();
    // A step not abandoned waits as usual.
    const live = new AbortController();
    let n = 0;
    await expect(withinStep(live.signal, () => waitFor('third call', async () => (++n >= 3 ? ready(n) : notYet('not yet')), { timeoutMs: 5_000, intervalMs: 5 }))).resolves.toBe(3);
  });
});
