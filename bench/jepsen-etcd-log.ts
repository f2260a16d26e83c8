/**
 * Jepsen's etcd register logs (the ones Porcupine ships as test data) in zk-chaos's history format,
 * so both checkers read the same file. One register key "r"; event i happens at time i µs (the logs
 * order events but carry no clock). `:fail :cas` is a cas whose comparison failed (BAD_VERSION);
 * `:fail :read :timed-out` a read that returned nothing; `:info ... :timed-out` a crashed
 * operation. Lines of any other shape (setup, nemesis) are not operations and are skipped.
 */
import type { HistoryEvent } from '../harness/history/types.ts';

const LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$/;

export function jepsenEtcdLogToHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, process, type, f, raw] = m as unknown as [string, string, HistoryEvent['type'], 'read' | 'write' | 'cas', string];
    const event: HistoryEvent = { index: events.length, type, process: Number(process), time: (events.length + 1) * 1000, f, key: 'r', value: null };
    if (raw === ':timed-out') {
      event.error = 'timed-out';
    } else if (f === 'cas') {
      const pair = /^\[(\d+)\s+(\d+)\]$/.exec(raw);
      if (!pair) throw new Error(`unexpected cas value in Jepsen log line: ${line}`);
      event.value = [pair[1]!, pair[2]!];
      if (type === 'fail') event.error = 'BAD_VERSION';
    } else if (raw !== 'nil') {
      event.value = raw;
    }
    events.push(event);
  }
  return events;
}

/** The expected answers, from Porcupine's own tests: checkJepsen(t, N, linearizable). */
export function jepsenEtcdLabels(porcupineTestSource: string): Map<number, boolean> {
  const labels = new Map<number, boolean>();
  for (const m of porcupineTestSource.matchAll(/checkJepsen\(t,\s*(\d+),\s*(true|false)\)/g)) labels.set(Number(m[1]), m[2] === 'true');
  return labels;
}
