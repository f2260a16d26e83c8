import { toOperations } from '../../harness/history/parse.ts';
import type { EventType, HistoryEvent, OpFunction, Operation } from '../../harness/history/types.ts';

type Value = HistoryEvent['value'];
type Extra = Pick<HistoryEvent, 'zxid' | 'version' | 'server' | 'error'>;

/**
 * Builds histories tersely. Every event gets the next tick of a clock (10 ns apart), so the order
 * of calls is the real-time order. Concurrency: invoke several processes, then complete them.
 *
 *   const h = new HistoryBuilder();
 *   const a = h.invoke(1, 'add', 's', 'x'); h.ok(1);      // or h.add(1, 's', 'x')
 *   h.readSet(2, 's', ['x']);
 *   check(h.ops());
 */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];
  private tick = 0;
  private readonly open = new Map<number, { f: OpFunction; key: string; value: Value; id: number }>();

  /** Starts an operation; returns its id (the invoke index). */
  invoke(process: number, f: OpFunction, key: string, value: Value = null): number {
    if (this.open.has(process)) throw new Error(`builder: process ${process} already has an op outstanding`);
    const id = this.push('invoke', process, f, key, value, {});
    this.open.set(process, { f, key, value, id });
    return id;
  }

  /** Completes the process's operation. value defaults to the invoke's value. */
  ok(process: number, value?: Value, extra: Extra = {}): number {
    return this.complete('ok', process, value, extra);
  }

  fail(process: number, extra: Extra = {}): number {
    return this.complete('fail', process, undefined, extra);
  }

  info(process: number, extra: Extra = {}): number {
    return this.complete('info', process, undefined, extra);
  }

  /** Lets the clock run (e.g. to separate operations clearly). */
  pause(ticks = 1): this {
    this.tick += ticks;
    return this;
  }

  // Sequential shorthands: invoke and complete at once; return the op id.

  add(process: number, key: string, element: string, outcome: EventType = 'ok'): number {
    const id = this.invoke(process, 'add', key, element);
    this.finish(outcome, process, undefined, {});
    return id;
  }

  readSet(process: number, key: string, elements: string[]): number {
    const id = this.invoke(process, 'read-set', key, null);
    this.ok(process, elements);
    return id;
  }

  write(process: number, key: string, value: string, outcome: EventType = 'ok', zxid?: string): number {
    const id = this.invoke(process, 'write', key, value);
    this.finish(outcome, process, undefined, zxid ? { zxid } : {});
    return id;
  }

  read(process: number, key: string, value: string | null, zxid?: string): number {
    const id = this.invoke(process, 'read', key, null);
    this.ok(process, value, zxid ? { zxid } : {});
    return id;
  }

  /** A failed cas is refused by its comparison (BAD_VERSION) unless `error` says otherwise. */
  cas(process: number, key: string, expected: string | null, next: string, outcome: EventType = 'ok', zxid?: string, error?: string): number {
    // types.ts types values as string | string[] | null; a cas from absent holds a null.
    const id = this.invoke(process, 'cas', key, [expected, next] as string[]);
    const extra: Extra = { ...(zxid ? { zxid } : {}), ...(outcome === 'fail' ? { error: error ?? 'BAD_VERSION' } : {}) };
    this.finish(outcome, process, undefined, extra);
    return id;
  }

  ops(): Operation[] {
    return toOperations(this.events);
  }

  /** The history as JSON Lines. */
  text(): string {
    return this.events.map((e) => JSON.stringify(e)).join('\n') + '\n';
  }

  private finish(outcome: EventType, process: number, value: Value | undefined, extra: Extra): void {
    if (outcome === 'invoke') return; // leave it outstanding (no completion)
    this.complete(outcome, process, value, extra);
  }

  private complete(type: Exclude<EventType, 'invoke'>, process: number, value: Value | undefined, extra: Extra): number {
    const open = this.open.get(process);
    if (!open) throw new Error(`builder: process ${process} has no op outstanding`);
    this.open.delete(process);
    this.push(type, process, open.f, open.key, value === undefined ? open.value : value, extra);
    return open.id;
  }

  private push(type: EventType, process: number, f: OpFunction, key: string, value: Value, extra: Extra): number {
    const index = this.events.length;
    this.tick++;
    this.events.push({ index, type, process, time: this.tick * 10, f, key, value, ...extra });
    return index;
  }
}
