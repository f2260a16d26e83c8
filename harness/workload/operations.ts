import type { HistoryRecorder } from '../history/recorder.ts';
import type { HistoryEvent } from '../history/types.ts';
import { zxidOf, type Outcome, type ZooKeeperSession } from './zk-session.ts';

/**
 * The recorded operations. Each one writes its invoke, talks to ZooKeeper, and writes exactly one
 * completion (ok, fail or info), so the history holds every operation that was ever started.
 * Returns the completion's type so the worker can retire a session after an indeterminate one.
 */

export interface Paths {
  setParent(key: string): string;
  register(key: string): string;
}

/** What a session last learnt of a register: the value and the znode version that holds it. */
export interface RegisterKnowledge {
  value: string | null;
  version: number;
}

export type CompletionType = 'ok' | 'fail' | 'info';

export async function add(rec: HistoryRecorder, p: number, s: ZooKeeperSession, paths: Paths, key: string, element: string): Promise<CompletionType> {
  rec.invoke(p, 'add', key, element);
  const result = await s.create(`${paths.setParent(key)}/${element}`, element);
  return finish(rec, p, result, element, {});
}

/** `final`: the read is a final read (the checker requires it to hold every acknowledged add). Always recorded: `"final": false` marks an ordinary read. */
export async function readSet(rec: HistoryRecorder, p: number, s: ZooKeeperSession, paths: Paths, key: string, final = false): Promise<{ type: CompletionType; elements?: string[] }> {
  rec.invoke(p, 'read-set', key, null, { final });
  const result = await s.getChildren(paths.setParent(key));
  if (result.type === 'fail' && result.error.includes('NO_NODE')) {
    // The set's parent znode is gone (an ensemble that lost its data): the set is empty.
    rec.complete(p, 'ok', [], { server: s.server });
    return { type: 'ok', elements: [] };
  }
  if (result.type !== 'ok') return { type: finish(rec, p, result, null, {}) };
  const elements = [...result.value.children].sort();
  // pzxid: the zxid of the last change to the set's children that this server had applied.
  rec.complete(p, 'ok', elements, { zxid: zxidOf(result.value.stat.pzxid), server: s.server });
  return { type: 'ok', elements };
}

/** `final`: a final read, made after a marker write through the same session (see readFinalState). Always recorded, false on an ordinary read. */
export async function read(rec: HistoryRecorder, p: number, s: ZooKeeperSession, paths: Paths, key: string, final = false): Promise<{ type: CompletionType; knowledge?: RegisterKnowledge }> {
  rec.invoke(p, 'read', key, null, { final });
  const result = await s.getData(paths.register(key));
  if (result.type === 'fail' && result.error.includes('NO_NODE')) {
    // An absent register reads as null: that is an observation, not a failure.
    rec.complete(p, 'ok', null, { server: s.server });
    return { type: 'ok', knowledge: { value: null, version: -1 } };
  }
  if (result.type !== 'ok') return { type: finish(rec, p, result, null, {}) };
  const { data, stat } = result.value;
  rec.complete(p, 'ok', data, { zxid: zxidOf(stat.mzxid), version: stat.version, server: s.server });
  return { type: 'ok', knowledge: { value: data, version: stat.version } };
}

/** An unconditional write; creates the register when it does not exist yet. */
export async function write(rec: HistoryRecorder, p: number, s: ZooKeeperSession, paths: Paths, key: string, value: string): Promise<{ type: CompletionType; knowledge?: RegisterKnowledge }> {
  rec.invoke(p, 'write', key, value);
  const path = paths.register(key);
  // At most one of these requests changes the znode: setData on an absent node and create on a
  // present one are refused by the server without effect.
  let updated = await s.setData(path, value, -1);
  if (updated.type === 'fail' && updated.error.includes('NO_NODE')) {
    const created = await s.create(path, value);
    if (created.type === 'ok') {
      // create answers with no stat, so no zxid: version 0 tells the checker this write created
      // the znode (the first of all writes), and a read of the value reports its zxid.
      rec.complete(p, 'ok', value, { version: 0, server: s.server });
      return { type: 'ok', knowledge: { value, version: 0 } };
    }
    if (!(created.type === 'fail' && created.error.includes('NODE_EXISTS'))) return { type: finish(rec, p, created, value, {}) };
    updated = await s.setData(path, value, -1);
  }
  if (updated.type !== 'ok') return { type: finish(rec, p, updated, value, {}) };
  rec.complete(p, 'ok', value, { zxid: zxidOf(updated.value.mzxid), version: updated.value.version, server: s.server });
  return { type: 'ok', knowledge: { value, version: updated.value.version } };
}

/** Compare-and-set through the znode version the session last saw holding `known.value`. */
export async function cas(rec: HistoryRecorder, p: number, s: ZooKeeperSession, paths: Paths, key: string, known: { value: string; version: number }, next: string): Promise<{ type: CompletionType; knowledge?: RegisterKnowledge }> {
  rec.invoke(p, 'cas', key, [known.value, next]);
  const result = await s.setData(paths.register(key), next, known.version);
  if (result.type !== 'ok') return { type: finish(rec, p, result, [known.value, next], {}) };
  rec.complete(p, 'ok', [known.value, next], { zxid: zxidOf(result.value.mzxid), version: result.value.version, server: s.server });
  return { type: 'ok', knowledge: { value: next, version: result.value.version } };
}

function finish<T>(rec: HistoryRecorder, p: number, result: Outcome<T>, value: HistoryEvent['value'], extra: { zxid?: string }): CompletionType {
  if (result.type === 'ok') {
    rec.complete(p, 'ok', value, extra);
    return 'ok';
  }
  rec.complete(p, result.type, value, { error: result.error, server: undefined });
  return result.type;
}
