import { createConnection } from 'node:net';
import { notYet, ready, waitFor } from '../../harness/kube/wait.ts';
import type { ServerMode } from '../../harness/zookeeper/four-letter-words.ts';
import { ZooKeeperSession } from '../../harness/workload/zk-session.ts';

/** A four-letter word sent to a client address, as a client reaches the member; resolves with the answer. */
export function fourLetterWord(address: string, word: string, timeoutMs = 10_000): Promise<string> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = createConnection({ host, port: Number(port) }, () => socket.write(word));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from ${address} in ${timeoutMs} ms`)));
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/**
 * Waits until a member stops serving: three answers in a row, since a status that could not be
 * asked at all (a failed exec) also reads as 'not serving'.
 */
export function stopsServing(mode: () => Promise<ServerMode>, what: string, log: (line: string) => void): Promise<ServerMode> {
  let inARow = 0;
  return waitFor(what, async () => {
    const now = await mode();
    inARow = now === 'not serving' ? inARow + 1 : 0;
    return inARow >= 3 ? ready(now) : notYet(`${now} (${inARow} in a row)`);
  }, { timeoutMs: 90_000, intervalMs: 500, log });
}

/** Waits until the given members serve as exactly one leader and the rest followers; returns their modes. */
export function oneLeaderAmong(modes: () => Promise<ServerMode[]>, what: string, log: (line: string) => void): Promise<ServerMode[]> {
  return waitFor(what, async () => {
    const now = await modes();
    return now.filter((m) => m === 'leader').length === 1 && now.every((m) => m === 'leader' || m === 'follower') ? ready(now) : notYet(now.join(', '));
  }, { timeoutMs: 90_000, intervalMs: 500, log });
}

/**
 * How long a 16 KB create through `endpoint` takes while `fault` is injected, and again after its
 * heal (and `afterHeal`): a slowed link shows as seconds, then milliseconds.
 */
export async function createTimesAcross(
  endpoint: { name: string; address: string },
  fault: { inject(): Promise<string>; heal(): Promise<string | void> },
  afterHeal: () => Promise<unknown> = async () => undefined,
): Promise<{ faulted: number; healed: number }> {
  const session = await ZooKeeperSession.connect({ address: endpoint.address, serverName: endpoint.name, connectTimeoutMs: 15_000, operationTimeoutMs: 60_000, sessionTimeoutMs: 60_000 });
  const timedCreate = async (path: string): Promise<number> => {
    const started = performance.now();
    const made = await session.create(path, 'x'.repeat(16_000));
    if (made.type !== 'ok') throw new Error(`create ${path} through ${endpoint.name}: ${JSON.stringify(made)}`);
    return performance.now() - started;
  };
  try {
    await fault.inject();
    let faulted: number;
    try {
      faulted = await timedCreate(`/timed-${Date.now()}-a`);
    } finally {
      await fault.heal();
    }
    await afterHeal();
    return { faulted, healed: await timedCreate(`/timed-${Date.now()}-b`) };
  } finally {
    session.close();
  }
}
